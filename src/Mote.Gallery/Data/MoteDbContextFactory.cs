using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Mote.Gallery.Data;

/// <summary>Used only by <c>dotnet ef migrations add</c> at design time.</summary>
internal sealed class MoteDbContextFactory : IDesignTimeDbContextFactory<MoteDbContext>
{
    public MoteDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<MoteDbContext>()
            .UseSqlite($"Data Source={Path.Combine(Path.GetTempPath(), "mote-design.db")}")
            .Options);
}
