namespace Mote.Reliability;

/// <summary>What must hold after any load or crash: one finding per failed rule, none when all hold.</summary>
public static class Invariants
{
    // The audit detail of a decision starts "decision <36-character id>:" (DecisionRecorder); 'decision ' is 9 characters.
    private const string DecisionIdOfDetail = "substr(p.Detail, 10, 36)";

    /// <summary>Counts the report prints beside the rules.</summary>
    public sealed record Counts(long People, long Decisions, long DecisionAuditEvents, long AuditEvents, long Enrolled, long Erased);

    public static Counts Count(PortalHost portal) => new(
        portal.Scalar("SELECT COUNT(*) FROM People"),
        portal.Scalar("SELECT COUNT(*) FROM Decisions"),
        portal.Scalar("SELECT COUNT(*) FROM AuditEvents WHERE Code IN (400, 401)"),
        portal.Scalar("SELECT COUNT(*) FROM AuditEvents"),
        portal.Scalar("SELECT COUNT(*) FROM AuditEvents WHERE Code = 300"),
        portal.Scalar("SELECT COUNT(*) FROM AuditEvents WHERE Code = 302"));

    /// <summary>
    /// <c>PRAGMA integrity_check</c>, <c>mote audit verify</c>, every decision with exactly one audit event and every decision
    /// event with its decision (or a subject erased since), every person whole (a template, exactly one enrollment event)
    /// and every enrollment event's person present or erased. Runs against the database while the portal serves.
    /// </summary>
    public static async Task<IReadOnlyList<string>> CheckAsync(PortalHost portal)
    {
        var findings = new List<string>();
        using (var connection = portal.OpenDatabase())
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "PRAGMA integrity_check";
            var result = string.Join("; ", Rows(command));
            if (result != "ok")
            {
                findings.Add($"PRAGMA integrity_check: {result}");
            }
        }

        var (code, output, error) = await Repository.MoteAsync(portal.SecretsDirectory, "audit", "verify", "--db", portal.DatabasePath);
        if (code != 0)
        {
            findings.Add($"mote audit verify exited {code}: {output.Trim()} {error.Trim()}");
        }

        Zero(findings, portal, "decisions without exactly one audit event",
            $"SELECT COUNT(*) FROM Decisions d WHERE (SELECT COUNT(*) FROM AuditEvents e JOIN AuditPayloads p ON p.EventId = e.Id WHERE e.Code IN (400, 401) AND {DecisionIdOfDetail} = d.Id) <> 1");
        Zero(findings, portal, "decision audit events whose decision is missing (subject not erased)",
            $"SELECT COUNT(*) FROM AuditEvents e JOIN AuditPayloads p ON p.EventId = e.Id WHERE e.Code IN (400, 401) AND NOT EXISTS (SELECT 1 FROM Decisions d WHERE d.Id = {DecisionIdOfDetail})");
        Zero(findings, portal, "decision audit events without detail whose subject was not erased",
            "SELECT COUNT(*) FROM AuditEvents e WHERE e.Code IN (400, 401) AND NOT EXISTS (SELECT 1 FROM AuditPayloads p WHERE p.EventId = e.Id) AND NOT EXISTS (SELECT 1 FROM AuditEvents x WHERE x.Code = 302 AND x.SubjectId = e.SubjectId)");
        Zero(findings, portal, "people without a template", "SELECT COUNT(*) FROM People WHERE TemplateBlob IS NULL OR length(TemplateBlob) = 0");
        Zero(findings, portal, "people without exactly one enrollment event",
            "SELECT COUNT(*) FROM People p WHERE (SELECT COUNT(*) FROM AuditEvents e WHERE e.Code = 300 AND e.SubjectId = p.Id) <> 1");
        Zero(findings, portal, "enrollment events whose person is neither present nor erased",
            "SELECT COUNT(*) FROM AuditEvents e WHERE e.Code = 300 AND NOT EXISTS (SELECT 1 FROM People p WHERE p.Id = e.SubjectId) AND NOT EXISTS (SELECT 1 FROM AuditEvents x WHERE x.Code = 302 AND x.SubjectId = e.SubjectId)");
        Zero(findings, portal, "erased people still present",
            "SELECT COUNT(*) FROM People p WHERE EXISTS (SELECT 1 FROM AuditEvents x WHERE x.Code = 302 AND x.SubjectId = p.Id)");
        Zero(findings, portal, "decisions about people who are gone",
            "SELECT COUNT(*) FROM Decisions d WHERE d.PersonId IS NOT NULL AND NOT EXISTS (SELECT 1 FROM People p WHERE p.Id = d.PersonId)");
        return findings;
    }

    private static void Zero(List<string> findings, PortalHost portal, string what, string sql)
    {
        var n = portal.Scalar(sql);
        if (n != 0)
        {
            findings.Add($"{n} {what}");
        }
    }

    private static List<string> Rows(Microsoft.Data.Sqlite.SqliteCommand command)
    {
        var rows = new List<string>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            rows.Add(reader.GetString(0));
        }
        return rows;
    }
}
