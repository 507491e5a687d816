using System.Security.Cryptography;
using System.Text;
using Mote.Core.Faces.Alignment;
using Mote.Core.Imaging;
using Mote.Core.Models;

namespace Mote.Core.Faces.Descriptors;

/// <summary>
/// A backbone built from several backbones, each of which wants the face aligned to its own template.
/// <see cref="Pipeline.FacePipeline"/> aligns the face once per <see cref="PartTemplates"/> entry and calls
/// <see cref="DescribeParts"/>; <see cref="IFaceDescriber.Describe"/> alone (explanations) only has crops of
/// <see cref="IFaceDescriber.Template"/> and must derive the others from them.
/// </summary>
public interface ICompositeFaceDescriber : IFaceDescriber
{
    /// <summary>The template of each part, in part order (the first is <see cref="IFaceDescriber.Template"/>).</summary>
    IReadOnlyList<FaceTemplate> PartTemplates { get; }

    /// <summary>Part ids, in part order.</summary>
    IReadOnlyList<string> PartIds { get; }

    /// <summary>Descriptor length of each part, in part order (they sum to <see cref="IFaceDescriber.Dimension"/>).</summary>
    IReadOnlyList<int> PartDimensions { get; }

    /// <summary>
    /// One fused, L2-normalised descriptor per face from crops aligned per part: <c>cropsPerPart[p][f]</c> is face
    /// <c>f</c> aligned to <see cref="PartTemplates"/>[p]. Nothing is modified. <paramref name="partMilliseconds"/>,
    /// when given (length = parts), receives the wall time each part's describe call took.
    /// </summary>
    /// <exception cref="ArgumentException">Not one crop list per part, or the lists differ in length.</exception>
    float[][] DescribeParts(IReadOnlyList<IReadOnlyList<RgbImage>> cropsPerPart, Span<double> partMilliseconds = default);
}

/// <summary>
/// The <c>fused</c> backbone: the dlib ResNet (128-d) and faceplugin's fr_feature (512-d) descriptors of the same face,
/// each L2-normalised, concatenated and re-normalised (640-d). Since both parts are unit vectors the concatenation has
/// norm √2, so the fused descriptor is <c>[a, b] / √2</c> and the cosine of two fused descriptors is exactly the mean of
/// the two parts' cosines: concatenation and score-level mean fusion are the same decision rule (docs/faces.md,
/// ADR 0014). One descriptor keeps every consumer (templates, population packs, 1:N) unchanged.
/// Owns both parts; thread-safe; a singleton.
/// </summary>
public sealed class FusedFaceDescriber : ICompositeFaceDescriber
{
    /// <summary>The backbone id.</summary>
    public const string Id = "fused";

    /// <summary>Names the combination rule inside <see cref="BackboneHash"/>, so a change of rule is a different backbone.</summary>
    private const string Rule = "concat-l2-v1";

    private readonly IFaceDescriber[] _parts;
    private readonly SimilarityTransform[] _fromFirstTemplate;
    private readonly FaceAligner _aligner = new(WarpBorder.Black, ChipSampling.Bilinear);
    private bool _disposed;

    /// <summary>Fuses <paramref name="parts"/> (taken over: disposed with this describer) in the given order.</summary>
    /// <exception cref="ArgumentException">Fewer than two parts.</exception>
    public FusedFaceDescriber(IReadOnlyList<IFaceDescriber> parts, string backboneId = Id)
    {
        ArgumentNullException.ThrowIfNull(parts);
        if (parts.Count < 2)
        {
            throw new ArgumentException($"A fused backbone needs at least two parts; {parts.Count} given.", nameof(parts));
        }

        _parts = [.. parts];
        BackboneId = backboneId;
        PartTemplates = _parts.Select(p => p.Template).ToArray();
        PartIds = _parts.Select(p => p.BackboneId).ToArray();
        PartDimensions = _parts.Select(p => p.Dimension).ToArray();
        Dimension = PartDimensions.Sum();
        var first = PartTemplates[0];
        _fromFirstTemplate = PartTemplates.Select(t => SimilarityTransform.Estimate(first.Landmarks.ToArray(), t.Landmarks.ToArray())).ToArray();
        var identity = $"{Rule}|{string.Join('|', _parts.Select(p => $"{p.BackboneId}:{p.BackboneHash}"))}";
        BackboneHash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(identity)));
    }

    /// <summary>The default pack's fused backbone: dlib ResNet then faceplugin-fr.</summary>
    /// <exception cref="KeyNotFoundException">The pack lacks one of the two models.</exception>
    public static FusedFaceDescriber Create(ModelPack pack, OnnxSessionFactory sessions)
    {
        ArgumentNullException.ThrowIfNull(pack);
        var dlib = new DlibResNetDescriber(pack[DlibResNetDescriber.ModelId], sessions);
        try
        {
            return new FusedFaceDescriber([dlib, FacepluginDescriber.Create(pack, sessions)]);
        }
        catch
        {
            dlib.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public string BackboneId { get; }

    /// <summary>SHA-256 over the combination rule and every part's id and model hash.</summary>
    public string BackboneHash { get; }

    /// <inheritdoc />
    public int Dimension { get; }

    /// <summary>The first part's template (the crop kept for explanations).</summary>
    public FaceTemplate Template => PartTemplates[0];

    /// <inheritdoc />
    public IReadOnlyList<FaceTemplate> PartTemplates { get; }

    /// <inheritdoc />
    public IReadOnlyList<string> PartIds { get; }

    /// <inheritdoc />
    public IReadOnlyList<int> PartDimensions { get; }

    /// <summary>
    /// Each part's unit vector, concatenated and divided by the norm of the concatenation (√parts for unit parts).
    /// The inputs are not modified.
    /// </summary>
    /// <exception cref="ArgumentException">No parts, or a part is all zeros.</exception>
    public static float[] Fuse(IReadOnlyList<float[]> partDescriptors)
    {
        ArgumentNullException.ThrowIfNull(partDescriptors);
        if (partDescriptors.Count == 0)
        {
            throw new ArgumentException("Nothing to fuse.", nameof(partDescriptors));
        }

        var result = new float[partDescriptors.Sum(p => p.Length)];
        var offset = 0;
        foreach (var part in partDescriptors)
        {
            var norm = Math.Sqrt(part.Sum(v => (double)v * v));
            if (!(norm > 0) || !double.IsFinite(norm))
            {
                throw new ArgumentException($"A part descriptor has norm {norm}; it cannot be L2-normalised.", nameof(partDescriptors));
            }

            for (var i = 0; i < part.Length; i++)
            {
                result[offset + i] = (float)(part[i] / norm);
            }

            offset += part.Length;
        }

        return DescriptorMath.Normalize(result);
    }

    /// <summary>Part <paramref name="part"/> of a fused descriptor, L2-normalised again: that part's own descriptor.</summary>
    /// <exception cref="ArgumentException">The descriptor is not <see cref="Dimension"/> long.</exception>
    /// <exception cref="ArgumentOutOfRangeException">No such part.</exception>
    public float[] Part(float[] fused, int part)
    {
        ArgumentNullException.ThrowIfNull(fused);
        ArgumentOutOfRangeException.ThrowIfNegative(part);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(part, _parts.Length);
        if (fused.Length != Dimension)
        {
            throw new ArgumentException($"A {BackboneId} descriptor has {Dimension} values; {fused.Length} given.", nameof(fused));
        }

        var offset = PartDimensions.Take(part).Sum();
        return DescriptorMath.Normalize(fused.AsSpan(offset, PartDimensions[part]));
    }

    /// <inheritdoc />
    public float[][] DescribeParts(IReadOnlyList<IReadOnlyList<RgbImage>> cropsPerPart, Span<double> partMilliseconds = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(cropsPerPart);
        if (cropsPerPart.Count != _parts.Length || cropsPerPart.Any(c => c.Count != cropsPerPart[0].Count))
        {
            throw new ArgumentException($"{BackboneId} needs one equally long crop list per part ({_parts.Length}).", nameof(cropsPerPart));
        }

        var described = new float[_parts.Length][][];
        for (var p = 0; p < _parts.Length; p++)
        {
            var start = System.Diagnostics.Stopwatch.GetTimestamp();
            described[p] = _parts[p].Describe(cropsPerPart[p]);
            if (partMilliseconds.Length == _parts.Length)
            {
                partMilliseconds[p] = System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }
        }

        return Enumerable.Range(0, cropsPerPart[0].Count).Select(f => Fuse(described.Select(d => d[f]).ToArray())).ToArray();
    }

    /// <summary>
    /// Fused descriptors from crops aligned to <see cref="Template"/> only (as explanations pass them): the other parts'
    /// crops are warped from these by the fixed similarity between the templates, which resamples once more and can cut
    /// off what the first template's crop does not hold, so the result is close to, not equal to, the pipeline's.
    /// </summary>
    /// <exception cref="ArgumentException">A crop is not the template's size.</exception>
    public float[][] Describe(IReadOnlyList<RgbImage> alignedCrops)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(alignedCrops);
        var perPart = new IReadOnlyList<RgbImage>[_parts.Length];
        perPart[0] = alignedCrops;
        for (var p = 1; p < _parts.Length; p++)
        {
            var target = PartTemplates[p];
            var transform = _fromFirstTemplate[p];
            perPart[p] = alignedCrops.Select(c => _aligner.Warp(c, transform, target.Width, target.Height)).ToArray();
        }

        return DescribeParts(perPart);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (var part in _parts)
        {
            part.Dispose();
        }
    }
}
