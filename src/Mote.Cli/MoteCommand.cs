using System.CommandLine;
using Mote.Cli.Commands;

namespace Mote.Cli;

/// <summary>The <c>mote</c> root command and its subcommands.</summary>
public static class MoteCommand
{
    /// <summary>Shared by every command that touches the Gallery database.</summary>
    internal static Option<string?> DatabaseOption() => new("--db")
    {
        Description = "The Gallery's SQLite file (default: Mote:Gallery:DatabasePath from appsettings.json, data/mote.db).",
    };

    public static RootCommand Build(TextReader input, TextWriter output, TextWriter error)
    {
        var root = new RootCommand("mote: the Mote Portal engine and gallery from a terminal.");
        root.Subcommands.Add(UsersCommand.Build(input, output, error));
        root.Subcommands.Add(ModelsCommand.Build(output, error));
        root.Subcommands.Add(FacesCommand.Build(output, error));
        root.Subcommands.Add(AttributesCommand.Build(output, error));
        root.Subcommands.Add(ApiKeysCommand.Build(output, error));
        root.Subcommands.Add(AuditCommand.Build(output, error));
        root.Subcommands.Add(ReportCommand.Build(output, error));
        foreach (var command in PeopleCommands.Build(output, error))
        {
            root.Subcommands.Add(command);
        }
        root.Subcommands.Add(PopulationCommand.Build(output, error));
        root.Subcommands.Add(GalleryBackboneCommand.Build(output, error));
        root.Subcommands.Add(EvaluateCommand.Build(output, error));
        root.Subcommands.Add(EvaluateCommand.BuildRuns(output, error));
        root.Subcommands.Add(BalanceCheckCommand.Build(output, error));
        root.Subcommands.Add(ExplainCommand.Build(output, error));
        root.Subcommands.Add(BackupCommand.BuildBackup(input, output, error));
        root.Subcommands.Add(BackupCommand.BuildRestore(input, output, error));
        root.Subcommands.Add(KeysCommand.Build(output, error));
        return root;
    }
}
