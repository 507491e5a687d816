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

    /// <summary>
    /// Enrolls one lfw-dev identity with at least two photos through <c>mote enroll</c> into <paramref name="database"/>: the
    /// first, from the <paramref name="offset"/>·17th folder on, whose first photo passes the quality check. Returns its name
    /// and its photos (the first enrolled, the others probes).
    /// </summary>
    public static async Task<(string Name, string[] Files)> EnrollLfwIdentityAsync(string database, int offset)
    {
        var images = Path.Combine(Mote.Core.Tests.TestDatasets.Find("lfw-dev")!, "images");
        foreach (var folder in Directory.GetDirectories(images).Order(StringComparer.Ordinal).Skip(offset * 17))
        {
            var files = Directory.GetFiles(folder, "*.jpg").Order(StringComparer.Ordinal).ToArray();
            if (files.Length < 2)
            {
                continue;
            }
            var name = Path.GetFileName(folder).Replace('_', ' ');
            var (code, _, _) = await RunAsync("", "enroll", "--name", name, files[0], "--seed", "7", "--db", database);
            if (code == 0)
            {
                return (name, files);
            }
        }
        throw new InvalidOperationException("No LFW identity could be enrolled.");
    }
}
