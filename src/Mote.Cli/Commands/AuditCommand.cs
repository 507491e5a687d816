using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Mote.Gallery.Audit;
using Mote.Gallery.Security;

namespace Mote.Cli.Commands;

/// <summary><c>mote audit verify|export</c>: check the tamper-evident chain and copy it out.</summary>
internal static class AuditCommand
{
    public static Command Build(TextWriter output, TextWriter error)
    {
        var command = new Command("audit", "Verify and export the audit trail.");
        command.Subcommands.Add(BuildVerify(output, error));
        command.Subcommands.Add(BuildExport(output, error));
        return command;
    }

    private static Command BuildVerify(TextWriter output, TextWriter error)
    {
        var db = MoteCommand.DatabaseOption();
        var verify = new Command("verify", "Recompute every row's seal. Exit code 0 only when the whole chain verifies; otherwise 3 and the first bad row.") { db };
        verify.SetAction(async (parse, ct) =>
        {
            AuditChainStatus? status = null;
            var code = await GalleryCommand.RunAsync(parse.GetValue(db), error, async services =>
            {
                status = await services.GetRequiredService<AuditVerifier>().VerifyAsync(Actor.Terminal(Environment.UserName), ct).ConfigureAwait(false);
            }, ct).ConfigureAwait(false);
            if (status is null)
            {
                return code;
            }
            var seconds = status.Duration.TotalSeconds.ToString("F2", CultureInfo.InvariantCulture);
            if (status.Verified)
            {
                await output.WriteLineAsync($"{status.Summary} {status.RowCount} rows checked in {seconds} s.").ConfigureAwait(false);
                return 0;
            }
            await error.WriteLineAsync($"CHAIN BROKEN at row #{status.FirstBadSequence}: {status.Summary} Rows up to #{status.VerifiedUpTo} verify.").ConfigureAwait(false);
            return 3;
        });
        return verify;
    }

    private static Command BuildExport(TextWriter output, TextWriter error)
    {
        var format = new Option<string>("--format") { Description = "csv or json.", Required = true };
        var path = new Option<string>("--out") { Description = "File to write (replaced if it exists).", Required = true };
        var db = MoteCommand.DatabaseOption();
        var export = new Command("export", "Write the whole trail, oldest first, with the chain status (json) — the export is itself recorded.") { format, path, db };
        export.SetAction(async (parse, ct) => await GalleryCommand.RunAsync(parse.GetValue(db), error, async services =>
        {
            var target = Path.GetFullPath(parse.GetValue(path)!);
            var temp = target + ".partial";
            try
            {
                var stream = File.Create(temp);
                await using (stream.ConfigureAwait(false))
                {
                    await services.GetRequiredService<ExportAuditTrail>().ExecuteAsync(Actor.Terminal(Environment.UserName), parse.GetValue(format)!, stream, null, ct).ConfigureAwait(false);
                }
                File.Move(temp, target, overwrite: true);
            }
            finally
            {
                File.Delete(temp); // nothing half-written is left behind
            }
            await output.WriteLineAsync($"Wrote {target}.").ConfigureAwait(false);
        }, ct).ConfigureAwait(false));
        return export;
    }
}
