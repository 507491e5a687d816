using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Mote.Gallery.Data;

/// <summary>Used only by <c>dotnet ef migrations add</c> at design time (SQLite migrations, <c>--context MoteDbContext</c>).</summary>
internal sealed class MoteDbContextFactory : IDesignTimeDbContextFactory<MoteDbContext>
{
    public MoteDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<MoteDbContext>()
            .UseSqlite($"Data Source={Path.Combine(Path.GetTempPath(), "mote-design.db")}")
            .Options);
}

/// <summary>
/// Used only by <c>dotnet ef migrations add … --context PostgreSqlMoteDbContext --output-dir Data/Migrations/PostgreSql</c>;
/// generating a migration needs no running server (the connection string is never opened).
/// </summary>
internal sealed class PostgreSqlMoteDbContextFactory : IDesignTimeDbContextFactory<PostgreSqlMoteDbContext>
{
    public PostgreSqlMoteDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgreSqlMoteDbContext>()
            .UseNpgsql("Host=localhost;Database=mote_design")
            .Options);
}
