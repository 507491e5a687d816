using Microsoft.Extensions.DependencyInjection;
using Mote.Gallery.Data;
using Mote.Gallery.People;
using Mote.Gallery.Tests.Builders;

namespace Mote.Portal.Tests.Components;

/// <summary>Person rows written straight into a component test's gallery (<see cref="PersonRows"/>: a placeholder template, no training).</summary>
internal static class TestPeople
{
    /// <summary>A person named <paramref name="name"/>, with an external id when given; adjust attributes on the result.</summary>
    public static Person Build(string name, string? externalId = null) => PersonRows.Build(name, externalId: externalId);

    /// <summary>Saves <paramref name="people"/> in one scope of <paramref name="services"/>.</summary>
    public static async Task AddAsync(IServiceProvider services, params Person[] people)
    {
        var scope = services.CreateAsyncScope();
        await using (scope)
        {
            var db = scope.ServiceProvider.GetRequiredService<MoteDbContext>();
            db.People.AddRange(people);
            await db.SaveChangesAsync();
        }
    }
}
