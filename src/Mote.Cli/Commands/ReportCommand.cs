using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
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
        var db = MoteCommand.DatabaseOption();
        var export = new Command("export", "Write the privacy and compliance report (ISO/IEC 24745 headings, GDPR Art. 35 inputs); the export is itself recorded.") { format, path, db };
        export.SetAction(async (parse, ct) => await GalleryCommand.RunAsync(parse.GetValue(db), error, async services =>
        {
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
