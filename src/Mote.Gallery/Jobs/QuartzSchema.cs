using System.Text.RegularExpressions;

namespace Mote.Gallery.Jobs;

/// <summary>
/// The tables of Quartz.NET's ADO job store (prefix <c>QRTZ_</c>), created by the gallery's own EF Core migration
/// (<c>DurableJobs</c>) so a fresh database has them and `dotnet run` needs no extra step. The statements are Quartz's own:
/// the creation script the pinned package embeds for its database (<c>Quartz.Impl.AdoJobStore.Schema.create_sqlite.sql</c>,
/// <c>create_postgres.sql</c>; every statement <c>IF NOT EXISTS</c>, split on lines reading <c>--;;</c>), so the tables match the driver that reads
/// them exactly; at start the store validates them (<see cref="JobStoreConfiguration"/>). A Quartz upgrade that changes its
/// schema needs a migration of its own (Quartz publishes upgrade scripts), which that validation would demand.
/// </summary>
/// <remarks>PostgreSQL's script names its tables in lower case and unquoted (<c>qrtz_job_details</c>): the store's own queries,
/// also unquoted, fold to the same names.</remarks>
internal static partial class QuartzSchema
{
    /// <summary>The table prefix the store is configured with (Quartz's default).</summary>
    public const string Prefix = "QRTZ_";

    /// <summary>The creation statements for the EF Core provider named <paramref name="activeProvider"/>, in order.</summary>
    public static IReadOnlyList<string> Create(string? activeProvider)
    {
        var script = Read(ScriptFor(activeProvider));
        return script.Split("\n--;;", StringSplitOptions.None)
            .Select(piece => piece.Replace("{0}", Prefix, StringComparison.Ordinal).Replace("{1}", Prefix, StringComparison.Ordinal).Trim())
            .Where(piece => piece.Split('\n').Any(line => line.Trim().Length > 0 && !line.TrimStart().StartsWith("--", StringComparison.Ordinal)))
            .ToArray();
    }

    /// <summary>Statements dropping every table the creation script makes, dependants first (the migration's Down).</summary>
    public static IReadOnlyList<string> Drop(string? activeProvider) =>
        TableName().Matches(Read(ScriptFor(activeProvider))).Select(m => $"DROP TABLE IF EXISTS {Prefix}{m.Groups[1].Value};").Reverse().ToArray();

    private static string ScriptFor(string? activeProvider) => activeProvider switch
    {
        "Microsoft.EntityFrameworkCore.Sqlite" => "Quartz.Impl.AdoJobStore.Schema.create_sqlite.sql",
        "Npgsql.EntityFrameworkCore.PostgreSQL" => "Quartz.Impl.AdoJobStore.Schema.create_postgres.sql",
        _ => throw new NotSupportedException($"No Quartz job-store schema for the database provider '{activeProvider}' yet."),
    };

    private static string Read(string resource)
    {
        using var stream = typeof(Quartz.IJob).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"The Quartz package no longer embeds {resource}; its schema must come from elsewhere.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd().Replace("\r\n", "\n", StringComparison.Ordinal);
    }

    [GeneratedRegex(@"CREATE TABLE IF NOT EXISTS \{0\}(\w+)")]
    private static partial Regex TableName();
}
