using System.Collections.Concurrent;
using Mote.Core.Imaging;
using Mote.Core.Population;
using Mote.Core.Population.Densities;
using Mote.Core.Population.Labels;
using Mote.Core.Population.Packs;

namespace Mote.Gallery.Engine;

/// <summary>Which density kind a pack uses: a KDE (stores real descriptors) or the parametric mixture (stores none).</summary>
public enum PopulationDensityKind
{
    /// <summary>A Gaussian kernel density estimate: the pack stores the real descriptors it was fitted on.</summary>
    Kde,

    /// <summary>A parametric Gaussian mixture: the pack stores only the fitted parameters, no descriptors.</summary>
    Parametric,
}

/// <summary>Progress of a pack build: images described so far, of how many, and failures to detect.</summary>
public readonly record struct PopulationBuildProgress(int Done, int Total, int NoFace);

/// <summary>The built pack and what went into it.</summary>
public sealed record PopulationBuildResult(PopulationPack Pack, int Described, int NoFace, int Unreadable);

/// <summary>
/// <c>mote population build</c>: describes every labelled image of one or two datasets with the face
/// pipeline (largest face), then fits the pack. Identities (LFW style, one folder per identity) feed the
/// variation (positive) models by gender; negatives come from the negatives dataset (UTKFace style) by
/// gender × ethnicity × age band, or from the identities dataset when none is given. An engine tool for the
/// terminal: it reads research datasets the operator points it at and writes only the pack file.
/// </summary>
public sealed class BuildPopulationPack(GalleryEngine engine)
{
    /// <param name="identitiesDir">The identities dataset (one folder per identity).</param>
    /// <param name="negativesDir">The negatives dataset; null: negatives come from the identities dataset, grouped by gender and ethnicity only.</param>
    /// <param name="kind">Which density the pack fits.</param>
    /// <param name="seed">The seed of the fit, recorded in the pack.</param>
    /// <param name="commandLine">The command that built the pack, recorded in it.</param>
    /// <param name="progress">Told every 50 images and at the end.</param>
    /// <param name="limitPerDataset">Use only the first this many images of each dataset; null: all.</param>
    /// <param name="ct">Cancels the build.</param>
    /// <exception cref="GalleryException">A dataset cannot be read, or too few faces were described to fit the pack.</exception>
    public async Task<PopulationBuildResult> ExecuteAsync(
        string identitiesDir, string? negativesDir, PopulationDensityKind kind, int seed, string commandLine,
        IProgress<PopulationBuildProgress>? progress = null, int? limitPerDataset = null, CancellationToken ct = default)
    {
        var analyzer = await engine.GetAnalyzerAsync(ct).ConfigureAwait(false);
        var records = new List<LabelRecord>();
        foreach (var dir in new[] { identitiesDir, negativesDir }.Where(d => d is not null).Distinct())
        {
            IReadOnlyList<LabelRecord> read;
            try
            {
                read = DatasetLabelReader.ReadFolder(dir!);
            }
            catch (Exception e) when (e is LabelFormatException or IOException)
            {
                throw new GalleryException($"Cannot read the dataset at {dir}: {e.Message}");
            }
            records.AddRange(limitPerDataset is { } n ? read.Take(n) : read);
        }
        var samples = new ConcurrentBag<(float[] Descriptor, LabelRecord Label)>();
        int done = 0, noFace = 0, unreadable = 0;
        await Parallel.ForEachAsync(records, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, Environment.ProcessorCount), CancellationToken = ct }, (record, token) =>
        {
            try
            {
                var analysis = analyzer.Analyze(File.ReadAllBytes(record.ImagePath), Mote.Core.Faces.Quality.QualityPurpose.Detection, token);
                if (analysis.Faces.Count == 0)
                {
                    Interlocked.Increment(ref noFace);
                }
                else
                {
                    samples.Add((analysis.Faces[0].Descriptor, record));
                }
            }
            catch (Exception e) when (e is ImageRejectedException or IOException)
            {
                Interlocked.Increment(ref unreadable);
            }
            var n = Interlocked.Increment(ref done);
            if (n % 50 == 0 || n == records.Count)
            {
                progress?.Report(new PopulationBuildProgress(n, records.Count, noFace));
            }
            return ValueTask.CompletedTask;
        }).ConfigureAwait(false);

        IDensityEstimator estimator = kind == PopulationDensityKind.Kde ? new GaussianKdeEstimator() : new GaussianMixtureEstimator();
        var options = new PopulationPackOptions
        {
            NegativeDimensions = negativesDir is null ? GroupDimensions.Gender | GroupDimensions.Ethnicity : GroupDimensions.Gender | GroupDimensions.Ethnicity | GroupDimensions.AgeBand,
            VariationDimensions = GroupDimensions.Gender,
        };
        // Sort so the pack does not depend on the order parallel workers finished in.
        var ordered = samples.OrderBy(s => s.Label.Dataset, StringComparer.Ordinal).ThenBy(s => s.Label.ImagePath, StringComparer.Ordinal);
        try
        {
            var pack = new PopulationPackBuilder(estimator, options).Build(ordered, analyzer.Backbone.Id, analyzer.Backbone.Sha256Hex, seed, commandLine);
            return new PopulationBuildResult(pack, samples.Count, noFace, unreadable);
        }
        catch (InsufficientDataException e)
        {
            throw new GalleryException(e.Message);
        }
    }
}
