using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Mote.Gallery.Models;
using Mote.Gallery.Reports;
using Mote.Gallery.Security;

namespace Mote.Cli.Commands;

/// <summary><c>mote report export</c>: the privacy and compliance report as PDF or JSON.</summary>
internal static class ReportCommand
{
    public static Command Build(TextWriter output, TextWriter error)
    {
        var command = new Command("report", "Privacy and compliance reports.");
        command.Subcommands.Add(BuildExport(output, error));
        return command;
    }

    private static Command BuildExport(TextWriter output, TextWriter error)
    {
        var format = new Option<string>("--format") { Description = "pdf or json.", Required = true };
        var path = new Option<string>("--out") { Description = "File to write (replaced if it exists).", Required = true };
        var checkModels = new Option<bool>("--check-models")
        {
            Description = "Verify the model pack first (from the cache; downloads what is missing), so the report lists each model and its licence. Without it the report lists the models only if this process has them.",
        };
        var db = MoteCommand.DatabaseOption();
        var export = new Command("export", "Write the privacy and compliance report (ISO/IEC 24745 headings, GDPR Art. 35 inputs); the export is itself recorded.") { format, path, checkModels, db };
        export.SetAction(async (parse, ct) => await GalleryCommand.RunAsync(parse.GetValue(db), error, async services =>
        {
            if (parse.GetValue(checkModels))
            {
                await services.GetRequiredService<ModelPackService>().GetAsync(ct).ConfigureAwait(false);
            }
            var target = Path.GetFullPath(parse.GetValue(path)!);
            var temp = target + ".partial";
            ReportExportResult result;
            try
            {
                var stream = File.Create(temp);
                await using (stream.ConfigureAwait(false))
                {
                    result = await services.GetRequiredService<ExportComplianceReport>().ExecuteAsync(Actor.Terminal(Environment.UserName), parse.GetValue(format)!, stream, ct).ConfigureAwait(false);
                }
                File.Move(temp, target, overwrite: true);
            }
            finally
            {
                File.Delete(temp); // nothing half-written is left behind
            }
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"Wrote {target} ({result.Bytes} bytes, {result.Duration.TotalSeconds:F2} s). Content SHA-256: {result.ContentSha256}")).ConfigureAwait(false);
        }, ct).ConfigureAwait(false));
        return export;
    }
}
