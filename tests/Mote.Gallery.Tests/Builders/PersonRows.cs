using Mote.Gallery.People;

namespace Mote.Gallery.Tests.Builders;

/// <summary>
/// Person rows to write straight into a database (no engine, no training), for tests of what is read back. Shared with
/// Mote.Portal.Tests (linked there), so it depends on Mote.Gallery only.
/// </summary>
public static class PersonRows
{
    /// <summary>A person with a placeholder template; attributes and external id as given.</summary>
    public static Person Build(string name, string? declaredGender = null, string? declaredEthnicity = null, string? declaredAgeBand = null,
        string? estimatedGender = null, string? estimatedEthnicity = null, string? estimatedAgeBand = null, string? externalId = null) => new()
    {
        Id = Guid.NewGuid().ToString(),
        Name = name,
        NormalizedName = name.ToUpperInvariant(),
        ExternalId = externalId,
        NormalizedExternalId = externalId?.ToUpperInvariant() ?? "",
        DeclaredGender = declaredGender,
        DeclaredEthnicity = declaredEthnicity,
        DeclaredAgeBand = declaredAgeBand,
        EstimatedGender = estimatedGender,
        EstimatedEthnicity = estimatedEthnicity,
        EstimatedAgeBand = estimatedAgeBand,
        BalanceJson = """{"negatives":{"female":1,"male":1},"variation":{"female":1,"male":1}}""",
        TemplateKind = Mote.Core.Templates.TemplateKind.Model,
        TemplateBlob = [1],
        TemplateBytes = 103_500,
        BackboneId = "dlib-resnet",
        BackboneHash = DlibManifestHash.Value,
        PopulationPackId = "p",
        Threshold = 0.001f,
        TargetFmr = 0.001,
        EnrolledUtc = new DateTimeOffset(2026, 12, 5, 9, 0, 0, TimeSpan.Zero),
        ConcurrencyStamp = Guid.NewGuid().ToString("N"),
    };

    /// <summary>
    /// The weights hash of the shipped dlib-resnet model (read from the default population pack copied beside the tests), so
    /// a placeholder person belongs to the same backbone as the probes the real pipeline describes.
    /// </summary>
    internal static readonly Lazy<string> DlibManifestHash = new(() =>
        Mote.Core.Population.Packs.PopulationPackFile.Load(Path.Combine(AppContext.BaseDirectory, "population", "dlib-resnet.motepop")).BackboneManifestHash);
}
