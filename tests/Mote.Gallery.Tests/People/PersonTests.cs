using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Mote.Core.Templates;
using Mote.Gallery.Data;
using Mote.Gallery.Engine;
using Mote.Gallery.Tests.Builders;

namespace Mote.Gallery.Tests.People;

public sealed class PersonTests
{
    [Fact]
    public async Task TemplateKind_IsStoredAsItsName_AndReadBackAndQueriedAsTheEnum()
    {
        await using var db = await GalleryTestDatabase.CreateAsync();
        var model = PersonRows.Build("Ada");
        var vector = PersonRows.Build("Bea");
        vector.TemplateKind = TemplateKind.Vector;
        await db.AddPeopleAsync(model, vector);

        // The column holds the same text as before the kind was an enum (no migration changed it).
        Assert.Equal(["model", "vector"], db.Strings("SELECT TemplateKind FROM People ORDER BY Name"));

        var scope = db.Services.CreateAsyncScope();
        await using (scope)
        {
            var context = scope.ServiceProvider.GetRequiredService<MoteDbContext>();
            Assert.Equal(TemplateKind.Vector, (await context.People.AsNoTracking().SingleAsync(p => p.Id == vector.Id)).TemplateKind);
            Assert.Equal(TemplateKind.Model, (await context.People.AsNoTracking().SingleAsync(p => p.Id == model.Id)).TemplateKind);
            // An enum comparison in a query is translated through the converter to the stored name.
            Assert.Equal([vector.Id], await context.People.Where(p => p.TemplateKind == TemplateKind.Vector).Select(p => p.Id).ToListAsync());

            context.StagedTemplates.Add(new StagedTemplate { PersonId = vector.Id, TemplateKind = TemplateKind.Vector, TemplateBlob = [1] });
            await context.SaveChangesAsync();
        }
        Assert.Equal(["vector"], db.Strings("SELECT TemplateKind FROM StagedTemplates"));

        // A row written as text (as every row was before) reads as the enum.
        db.Execute($"UPDATE People SET TemplateKind = 'vector' WHERE Id = '{model.Id}'");
        var again = db.Services.CreateAsyncScope();
        await using (again)
        {
            var context = again.ServiceProvider.GetRequiredService<MoteDbContext>();
            Assert.Equal(TemplateKind.Vector, (await context.People.AsNoTracking().SingleAsync(p => p.Id == model.Id)).TemplateKind);
            Assert.Equal(TemplateKind.Vector, (await context.StagedTemplates.AsNoTracking().SingleAsync()).TemplateKind);
        }
    }
}
