using System.Reflection;

namespace Mote.Portal.Tests;

/// <summary>Dependencies point one way: Portal/Cli → Gallery → Core (ARCHITECTURE.md §3).</summary>
public sealed class ArchitectureTests
{
    private static readonly Assembly Core = typeof(Mote.Core.Models.Onnx.OnnxModelWriter).Assembly;
    private static readonly Assembly Gallery = typeof(Mote.Gallery.Data.MoteDbContext).Assembly;
    private static readonly Assembly Portal = typeof(Mote.Portal.Components.App).Assembly;
    private static readonly Assembly Cli = typeof(Mote.Cli.MoteCommand).Assembly;

    private static string[] References(Assembly assembly) =>
        assembly.GetReferencedAssemblies().Select(a => a.Name!).ToArray();

    [Fact]
    public void Core_ReferencesNoOtherProjectNorDatabaseNorWeb()
    {
        var refs = References(Core);
        Assert.DoesNotContain(refs, r => r.StartsWith("Mote.", StringComparison.Ordinal));
        Assert.DoesNotContain(refs, r => r.StartsWith("Microsoft.EntityFrameworkCore", StringComparison.Ordinal));
        Assert.DoesNotContain(refs, r => r.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal));
        Assert.DoesNotContain(refs, r => r.StartsWith("MudBlazor", StringComparison.Ordinal));
    }

    [Fact]
    public void Gallery_ReferencesCoreButNotPortalOrCli()
    {
        var refs = References(Gallery);
        Assert.DoesNotContain("Mote.Portal", refs);
        Assert.DoesNotContain("mote", refs);
        Assert.DoesNotContain(refs, r => r.StartsWith("MudBlazor", StringComparison.Ordinal));
    }

    [Fact]
    public void FrontEnds_ReferenceGalleryAndNotEachOther()
    {
        Assert.Contains("Mote.Gallery", References(Portal));
        Assert.Contains("Mote.Gallery", References(Cli));
        Assert.DoesNotContain("mote", References(Portal));
        Assert.DoesNotContain("Mote.Portal", References(Cli));
    }

    [Fact]
    public void ProjectFiles_ReferenceOnlyDownstream()
    {
        // Assembly metadata drops references the compiler did not need, so check the project files too.
        var root = Infrastructure.RepositoryPaths.Root;
        string ProjectRefs(string project) => string.Join('\n', File.ReadAllLines(Path.Combine(root, "src", project, $"{project}.csproj"))
            .Where(l => l.Contains("ProjectReference", StringComparison.Ordinal)));
        Assert.DoesNotContain("ProjectReference", ProjectRefs("Mote.Core"), StringComparison.Ordinal);
        Assert.DoesNotContain("Mote.Portal", ProjectRefs("Mote.Gallery"), StringComparison.Ordinal);
        Assert.DoesNotContain("Mote.Cli", ProjectRefs("Mote.Gallery"), StringComparison.Ordinal);
        Assert.DoesNotContain("Mote.Cli", ProjectRefs("Mote.Portal"), StringComparison.Ordinal);
        Assert.DoesNotContain("Mote.Portal", ProjectRefs("Mote.Cli"), StringComparison.Ordinal);
    }
}
