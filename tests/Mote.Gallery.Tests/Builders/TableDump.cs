using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Mote.Gallery.Tests.Builders;

/// <summary>Every row of a table as text (blobs as Base64), ordered by its first column: for comparing two database files exactly.</summary>
public static class TableDump
{
    public static List<string> Rows(string databasePath, string table, string? where = null)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = databasePath, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT * FROM \"{table}\" {(where is null ? "" : "WHERE " + where)} ORDER BY 1";
        using var reader = command.ExecuteReader();
        var rows = new List<string>();
        while (reader.Read())
        {
            var values = new string[reader.FieldCount];
            for (var i = 0; i < reader.FieldCount; i++)
            {
                values[i] = reader.IsDBNull(i) ? "NULL" : reader.GetValue(i) switch
                {
                    byte[] bytes => Convert.ToBase64String(bytes),
                    var v => Convert.ToString(v, CultureInfo.InvariantCulture) ?? "",
                };
            }
            rows.Add(string.Join('|', values));
        }
        return rows;
    }
}
