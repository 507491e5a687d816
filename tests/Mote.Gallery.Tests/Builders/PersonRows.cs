using Microsoft.Extensions.DependencyInjection;
using Mote.Gallery.Data;
using Mote.Gallery.People;

namespace Mote.Gallery.Tests.Builders;

/// <summary>Person rows written straight into the database (no engine, no training), for tests of what is read back.</summary>
public static class PersonRows
{
    /// <summary>A person with a placeholder template; attributes as given.</summary>
    public static Person Build(string name, string? declaredGender = null, string? declaredEthnicity = null, string? declaredAgeBand = null,
        string? estimatedGender = null, string? estimatedEthnicity = null, string? estimatedAgeBand = null) => new()
    {
        Id = Guid.NewGuid().ToString(),
        Name = name,
        NormalizedName = name.ToUpperInvariant(),
        DeclaredGender = declaredGender,
        DeclaredEthnicity = declaredEthnicity,
        DeclaredAgeBand = declaredAgeBand,
        EstimatedGender = estimatedGender,
        EstimatedEthnicity = estimatedEthnicity,
        EstimatedAgeBand = estimatedAgeBand,
        BalanceJson = """{"negatives":{"female":1,"male":1},"variation":{"female":1,"male":1}}""",
        TemplateKind = "model",
        TemplateBlob = [1],
        TemplateBytes = 103_500,
        BackboneId = "dlib-resnet",
        BackboneHash = "x",
        PopulationPackId = "p",
        Threshold = 0.001f,
        TargetFmr = 0.001,
        EnrolledUtc = new DateTimeOffset(2026, 12, 5, 9, 0, 0, TimeSpan.Zero),
        ConcurrencyStamp = Guid.NewGuid().ToString("N"),
    };

    /// <summary>Saves <paramref name="people"/> in one scope.</summary>
    public static async Task AddAsync(GalleryTestDatabase db, params Person[] people)
    {
        var scope = db.Services.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            var context = scope.ServiceProvider.GetRequiredService<MoteDbContext>();
            context.People.AddRange(people);
            await context.SaveChangesAsync().ConfigureAwait(false);
        }
    }
}
