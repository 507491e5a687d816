using Microsoft.Data.Sqlite;
using Mote.Cli;

namespace Mote.Cli.Tests;

/// <summary>Runs `mote` in-process through its real command tree, with standard input, output and error captured.</summary>
public static class MoteCli
{
    public static async Task<(int Code, string Output, string Error)> RunAsync(string stdin, params string[] args)
    {
        using var input = new StringReader(stdin);
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await MoteCommand.Build(input, output, error).Parse(args).InvokeAsync(new System.CommandLine.InvocationConfiguration { Output = output, Error = error });
        return (code, output.ToString(), error.ToString());
    }

    /// <summary>Runs one SQL statement on the database file directly (reads a count, or tampers on purpose).</summary>
    public static long Sql(string database, string sql)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = database, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar() ?? 0L, System.Globalization.CultureInfo.InvariantCulture);
    }
}
