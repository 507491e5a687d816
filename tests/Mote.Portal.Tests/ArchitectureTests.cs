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

    [Fact]
    public void CoreNamespaces_DependOnEachOtherWithoutCircles()
    {
        // Core is the library everything stands on: its namespaces form layers (issue 18 item 5). A circle means two folders
        // cannot be read, tested or moved apart; the message names one type for each edge of every circle found.
        var graph = Infrastructure.NamespaceGraph.Of(Core);
        var cycles = graph.Cycles();

        Assert.True(cycles.Count == 0, $"{cycles.Count} circle(s) between namespaces of Mote.Core:\n" + string.Join("\n", cycles.Select(c =>
            string.Join(", ", c) + ": " + string.Join("; ", c.SelectMany(from => graph.Edges[from].Where(c.Contains).Select(to => $"{from} -> {to} ({graph.Example(from, to)})"))))));
    }

    /// <summary>
    /// The composition roots of the application projects, left out of the check below: Gallery's Data (its context maps
    /// every feature's tables) and Hosting (registers every service); Portal's Hosting and the root Components that route to
    /// every page; the CLI's root command that registers every command.
    /// </summary>
    private static readonly Dictionary<string, string[]> CompositionRoots = new(StringComparer.Ordinal)
    {
        ["Mote.Gallery"] = ["Mote.Gallery.Data", "Mote.Gallery.Hosting"],
        ["Mote.Portal"] = ["Mote.Portal.Hosting", "Mote.Portal.Components"],
        ["mote"] = ["Mote.Cli"],
    };

    [Theory]
    [InlineData("Mote.Gallery")]
    [InlineData("Mote.Portal")]
    [InlineData("mote")]
    public void ApplicationNamespaces_DependOnEachOtherWithoutCircles(string assembly)
    {
        // Gallery, Portal and the CLI are organised by feature (issue 18 item 5): apart from the roots, a feature may use
        // another only if that one does not use it back, directly or around a longer circle.
        var graph = Infrastructure.NamespaceGraph.Of(new[] { Gallery, Portal, Cli }.Single(a => a.GetName().Name == assembly));
        var roots = CompositionRoots[assembly];
        var cycles = graph.Cycles(roots);

        Assert.True(cycles.Count == 0, $"{cycles.Count} circle(s) between feature namespaces of {assembly}:\n" + string.Join("\n", cycles.Select(c =>
            string.Join(", ", c) + ": " + string.Join("; ", c.SelectMany(from => graph.Edges[from].Where(c.Contains).Select(to => $"{from} -> {to} ({graph.Example(from, to)})"))))));
    }

    [Fact]
    public void FrontEnds_MapRefusalsThroughTheOneErrorMap()
    {
        // Pages, API and CLI ask GalleryErrors which exceptions are refusals (issue 18 item 2) instead of each listing
        // exception types of its own; a list beside GalleryException is how they drifted apart before.
        var root = Infrastructure.RepositoryPaths.Root;
        var lists = new[] { "Mote.Portal", "Mote.Cli" }
            .SelectMany(project => Directory.EnumerateFiles(Path.Combine(root, "src", project), "*.*", SearchOption.AllDirectories))
            .Where(f => (f.EndsWith(".cs", StringComparison.Ordinal) || f.EndsWith(".razor", StringComparison.Ordinal))
                && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(f => File.ReadLines(f).Select((line, i) => (File: Path.GetRelativePath(root, f), Line: i + 1, Text: line.Trim())))
            .Where(l => System.Text.RegularExpressions.Regex.IsMatch(l.Text, @"when \(e is (global::)?(Mote\.Gallery\.)?(GalleryException|PermissionDeniedException) or"))
            .Select(l => $"{l.File}:{l.Line}: {l.Text}")
            .ToList();

        Assert.True(lists.Count == 0, "Catch filters with their own list of refusals (use GalleryErrors.IsRefusal or Classify):\n" + string.Join("\n", lists));
    }
}
