using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Mote.Gallery;
using Mote.Gallery.Backup;
using Mote.Gallery.Security;

namespace Mote.Cli.Commands;

/// <summary>
/// <c>mote backup --out &lt;file&gt;</c> and <c>mote restore --from &lt;file&gt;</c> (docs/backup.md). The passphrase is read from
/// the environment variable <c>MOTE_BACKUP_PASSPHRASE</c> (another with <c>--passphrase-env</c>), else from standard input
/// (a terminal is asked without echo; a new backup's passphrase twice) — never from an argument, which would land in the
/// shell's history and the process list.
/// </summary>
internal static class BackupCommand
{
    public const string DefaultPassphraseVariable = "MOTE_BACKUP_PASSPHRASE";

    public static Command BuildBackup(TextReader input, TextWriter output, TextWriter error)
    {
        var path = new Option<string>("--out") { Description = "The archive to write (must not exist yet).", Required = true };
        var variable = PassphraseVariableOption();
        var db = MoteCommand.DatabaseOption();
        var command = new Command("backup", "Write an encrypted backup of the database (taken while it is in use) with the keys needed to read it.") { path, variable, db };
        command.SetAction(async (parse, ct) =>
        {
            var passphrase = ReadPassphrase(input, error, parse.GetValue(variable)!, confirm: true);
            if (passphrase is null)
            {
                return 1;
            }
            return await GalleryCommand.RunAsync(parse.GetValue(db), error, async services =>
            {
                var result = await services.GetRequiredService<CreateBackup>().ExecuteAsync(Actor.Terminal(Environment.UserName), parse.GetValue(path)!, passphrase, ct).ConfigureAwait(false);
                var m = result.Manifest;
                await output.WriteLineAsync($"Wrote {result.Path} ({result.Bytes.ToString("N0", CultureInfo.InvariantCulture)} bytes, SHA-256 {result.Sha256}).").ConfigureAwait(false);
                await output.WriteLineAsync($"It holds {m.People} people, {m.Decisions} decisions, the audit trail up to #{m.AuditEvents}, {m.Secrets.Count} secret files and {m.Erasures} erasure ledger entries.").ConfigureAwait(false);
                await output.WriteLineAsync("Keep the passphrase apart from the archive: without it the archive cannot be read, with it anyone can.").ConfigureAwait(false);
            }, ct).ConfigureAwait(false);
        });
        return command;
    }

    public static Command BuildRestore(TextReader input, TextWriter output, TextWriter error)
    {
        var path = new Option<string>("--from") { Description = "The backup archive to restore.", Required = true };
        var force = new Option<bool>("--force") { Description = "Replace a database that is not empty (kept beside it as .before-restore-<time>) or that a running portal serves." };
        var variable = PassphraseVariableOption();
        var db = MoteCommand.DatabaseOption();
        var command = new Command("restore", "Replace the database (and its keys) with a backup's, after checking it; erasures made since are applied again.") { path, force, variable, db };
        command.SetAction(async (parse, ct) =>
        {
            var passphrase = ReadPassphrase(input, error, parse.GetValue(variable)!, confirm: false);
            if (passphrase is null)
            {
                return 1;
            }
            return await GalleryCommand.RunAsync(parse.GetValue(db), error, async services =>
            {
                var result = await services.GetRequiredService<RestoreBackup>().ExecuteAsync(Actor.Terminal(Environment.UserName), parse.GetValue(path)!, passphrase, parse.GetValue(force), ct).ConfigureAwait(false);
                var m = result.Manifest;
                await output.WriteLineAsync($"Restored the backup taken {m.TakenUtc.ToString("u", CultureInfo.InvariantCulture)}: {m.People} people, {m.Decisions} decisions, audit trail up to #{m.AuditEvents}.").ConfigureAwait(false);
                if (result.PreviousDatabaseKeptAs is { } kept)
                {
                    await output.WriteLineAsync($"The previous database is kept as {kept}; delete it when you no longer need it.").ConfigureAwait(false);
                }
                if (result.ReplacedSecretsKeptIn is { } replaced)
                {
                    await output.WriteLineAsync($"Keys that differed from the backup's are kept in {replaced}.").ConfigureAwait(false);
                }
                await output.WriteLineAsync(result.ErasuresReapplied.Count == 0
                    ? "No one in the erasure ledger was in the backup."
                    : $"Erased again {result.ErasuresReapplied.Count} person(s) erased after the backup was taken (erasure ledger): {string.Join(", ", result.ErasuresReapplied)}.").ConfigureAwait(false);
                await output.WriteLineAsync($"Audit trail: {result.Chain.Summary}").ConfigureAwait(false);
                if (!result.Chain.Verified)
                {
                    throw new GalleryException("The restored audit trail does not verify; investigate before serving it.");
                }
            }, ct, migrate: false).ConfigureAwait(false);
        });
        return command;
    }

    private static Option<string> PassphraseVariableOption() => new("--passphrase-env")
    {
        Description = $"The environment variable holding the passphrase (default {DefaultPassphraseVariable}); when it is unset, the passphrase is read from standard input.",
        DefaultValueFactory = _ => DefaultPassphraseVariable,
    };

    /// <summary>The passphrase from the environment variable, else standard input; null (after saying why) when none or when two typed ones differ.</summary>
    private static string? ReadPassphrase(TextReader input, TextWriter error, string variable, bool confirm)
    {
        if (Environment.GetEnvironmentVariable(variable) is { Length: > 0 } fromEnvironment)
        {
            return fromEnvironment;
        }
        var interactive = ReferenceEquals(input, Console.In) && !Console.IsInputRedirected;
        var first = UsersCommand.ReadPassword(input, error, "Backup passphrase: ");
        if (string.IsNullOrEmpty(first))
        {
            error.WriteLine($"No passphrase: set {variable} or type it on standard input.");
            return null;
        }
        if (confirm && interactive && UsersCommand.ReadPassword(input, error, "Again: ") != first)
        {
            error.WriteLine("The two passphrases differ; nothing was written.");
            return null;
        }
        return first;
    }
}
