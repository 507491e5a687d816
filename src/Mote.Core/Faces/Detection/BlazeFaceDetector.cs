using Microsoft.ML.OnnxRuntime;
using Mote.Core.Faces.Alignment;
using Mote.Core.Imaging;
using Mote.Core.Models;

namespace Mote.Core.Faces.Detection;

/// <summary>
/// BlazeFace (Human's 256x256 short-range model, converted to ONNX): letterboxes the photo (and, for
/// large photos, overlapping tiles of it) to the input, decodes 896 anchors, keeps scores above
/// <see cref="BlazeFaceOptions.MinScore"/>, blends overlaps with <see cref="WeightedNms"/> and maps
/// boxes and keypoints back to source pixels. Owns one ONNX session; thread-safe (ONNX Runtime allows
/// concurrent <c>Run</c> calls on one session).
/// </summary>
public sealed class BlazeFaceDetector : IFaceDetector
{
    private readonly InferenceSession _session;
    private readonly string _inputName;
    private readonly string _regressors512, _scores512, _regressors384, _scores384;
    private readonly Point2D[] _anchors;
    private readonly BlazeFaceOptions _options;

    /// <summary>Opens the model at <paramref name="model"/> with <paramref name="sessions"/>.</summary>
    /// <exception cref="InvalidOperationException">The model's inputs or outputs are not BlazeFace's.</exception>
    public BlazeFaceDetector(ModelPackEntry model, OnnxSessionFactory sessions, BlazeFaceOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(sessions);
        _options = options ?? new BlazeFaceOptions();
        _options.Validate();
        _session = sessions.Create(model);
        try
        {
            var input = _session.InputMetadata.Single();
            _inputName = input.Key;
            var dims = input.Value.Dimensions;
            if (dims.Length != 4 || dims[1] != dims[2] || dims[3] != 3)
            {
                throw new InvalidOperationException($"Model '{model.Id}' has input shape [{string.Join(",", dims)}]; BlazeFace needs [1,N,N,3].");
            }

            InputSize = dims[1];
            _anchors = BlazeFaceAnchors.Generate(InputSize);
            var small = _anchors.Length * 4 / 7; // 512 of 896 anchors sit on the finer grid
            string Find(int count, int width) => _session.OutputMetadata
                .Where(o => o.Value.Dimensions.Length == 3 && o.Value.Dimensions[1] == count && o.Value.Dimensions[2] == width)
                .Select(o => o.Key).SingleOrDefault()
                ?? throw new InvalidOperationException($"Model '{model.Id}' has no output of shape [1,{count},{width}]; outputs: {string.Join(", ", _session.OutputMetadata.Select(o => $"{o.Key} [{string.Join(",", o.Value.Dimensions)}]"))}.");
            _regressors512 = Find(small, BlazeFaceDecoder.RegressorsPerAnchor);
            _scores512 = Find(small, 1);
            _regressors384 = Find(_anchors.Length - small, BlazeFaceDecoder.RegressorsPerAnchor);
            _scores384 = Find(_anchors.Length - small, 1);
        }
        catch
        {
            _session.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public string Id => "blazeface";

    /// <summary>Side of the square model input in pixels (256).</summary>
    public int InputSize { get; }

    /// <summary>The options in use.</summary>
    public BlazeFaceOptions Options => _options;

    /// <inheritdoc />
    public IReadOnlyList<DetectedFace> Detect(RgbImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        var whole = DetectIn(image, 0, 0, image.Width, image.Height, _options.MinScore);
        var candidates = new List<FaceCandidate>(whole);
        var fromTiles = new List<FaceCandidate>();
        foreach (var (left, top, size) in Tiles(image.Width, image.Height))
        {
            fromTiles.AddRange(DetectIn(image, left, top, size, size, _options.MinScore));
        }

        // A tile candidate that the whole-photo pass already found is dropped, so faces large enough for the whole
        // pass keep exactly the boxes they had without tiles; any other one must be found again, with a higher score,
        // when the detector sees it enlarged (Confirm), which removes the texture that looks face-like only at tile
        // scale (docs/faces.md).
        foreach (var c in WeightedNms.Apply(fromTiles, _options.IouThreshold))
        {
            if (!whole.Any(w => w.Box.IntersectionOverUnion(c.Box) > _options.IouThreshold) && Confirm(image, c) is { } confirmed)
            {
                candidates.Add(confirmed);
            }
        }

        return WeightedNms.Apply(candidates, _options.IouThreshold)
            .Take(_options.MaxFaces)
            .Select(c => new DetectedFace(c.Box, c.Score, c.Keypoints, FivePointFromBlazeFace(c.Keypoints)))
            .ToArray();
    }

    /// <summary>
    /// Looks again at squares of each of <see cref="BlazeFaceOptions.ConfirmCropScales"/> face widths around
    /// <paramref name="candidate"/>, letterboxed to the input; returns the first look's detection overlapping the
    /// candidate (IoU ≥ 0.5) with the lowest score of all looks as its score, or null when any look's best overlapping
    /// score is below <see cref="BlazeFaceOptions.ConfirmMinScore"/>.
    /// </summary>
    internal FaceCandidate? Confirm(RgbImage image, FaceCandidate candidate)
    {
        FaceCandidate? first = null;
        var lowest = 1.0;
        foreach (var scale in _options.ConfirmCropScales)
        {
            var side = Math.Max(candidate.Box.Width, candidate.Box.Height) * scale;
            var cx = candidate.Box.X + (candidate.Box.Width / 2);
            var cy = candidate.Box.Y + (candidate.Box.Height / 2);
            var left = (int)Math.Clamp(Math.Round(cx - (side / 2)), 0, image.Width - 1);
            var top = (int)Math.Clamp(Math.Round(cy - (side / 2)), 0, image.Height - 1);
            var right = (int)Math.Clamp(Math.Round(cx + (side / 2)), left + 1, image.Width);
            var bottom = (int)Math.Clamp(Math.Round(cy + (side / 2)), top + 1, image.Height);
            var seen = DetectIn(image, left, top, right - left, bottom - top, _options.ConfirmMinScore, keepCut: true)
                .Where(c => c.Box.IntersectionOverUnion(candidate.Box) >= 0.5)
                .OrderByDescending(c => c.Score)
                .FirstOrDefault();
            if (seen is null)
            {
                return null;
            }

            first ??= seen;
            lowest = Math.Min(lowest, seen.Score);
        }

        return first is null ? null : first with { Score = lowest };
    }

    /// <summary>
    /// Five alignment points from BlazeFace's keypoints: eyes and nose as given; the mouth corners, which
    /// BlazeFace does not give, placed on the mouth centre ± 0.42 × the eye vector (the mouth-width to
    /// eye-distance ratio of both templates: 0.83 in InsightFace's, 0.89 in dlib's mean face).
    /// </summary>
    /// <exception cref="ArgumentException">Fewer than four keypoints.</exception>
    public static FivePointLandmarks FivePointFromBlazeFace(IReadOnlyList<Point2D> keypoints)
    {
        ArgumentNullException.ThrowIfNull(keypoints);
        if (keypoints.Count < 4)
        {
            throw new ArgumentException($"BlazeFace gives at least 4 keypoints (eyes, nose, mouth); {keypoints.Count} were given.", nameof(keypoints));
        }

        const double halfMouthToEyes = 0.43;
        var (left, right, nose, mouth) = (keypoints[0], keypoints[1], keypoints[2], keypoints[3]);
        var ex = (right.X - left.X) * halfMouthToEyes;
        var ey = (right.Y - left.Y) * halfMouthToEyes;
        return new FivePointLandmarks(left, right, nose, new Point2D(mouth.X - ex, mouth.Y - ey), new Point2D(mouth.X + ex, mouth.Y + ey));
    }

    /// <summary>
    /// Overlapping square tiles (left, top, side) for a photo too large to search at the input size alone: none
    /// unless <see cref="BlazeFaceOptions.Tiling"/> is on and the longer side exceeds
    /// <see cref="BlazeFaceOptions.TilingMinSide"/>; otherwise squares of <see cref="BlazeFaceOptions.TileSize"/>
    /// overlapping by half, the last row and column pushed back inside the photo.
    /// </summary>
    internal IEnumerable<(int Left, int Top, int Size)> Tiles(int width, int height)
    {
        var size = Math.Min(_options.TileSize, Math.Min(width, height));
        if (!_options.Tiling || Math.Max(width, height) <= _options.TilingMinSide)
        {
            yield break;
        }

        var step = Math.Max(1, size / 2);
        for (var top = 0; ; top += step)
        {
            var y = Math.Max(0, Math.Min(top, height - size));
            for (var left = 0; ; left += step)
            {
                var x = Math.Max(0, Math.Min(left, width - size));
                yield return (x, y, size);
                if (x + size >= width)
                {
                    break;
                }
            }

            if (y + size >= height)
            {
                break;
            }
        }
    }

    private List<FaceCandidate> DetectIn(RgbImage image, int left, int top, int width, int height, double minScore, bool keepCut = false)
    {
        var region = left == 0 && top == 0 && width == image.Width && height == image.Height
            ? image
            : ImageRegion.Copy(image, left, top, width, height);
        var letterboxed = ImageResizer.Letterbox(region, InputSize, InputSize);
        var tensor = TensorPacker.Pack(letterboxed.Image, TensorLayout.Nhwc, PixelNormalization.InsightFace);
        using var input = OrtValue.CreateTensorValueFromMemory(tensor, [1, InputSize, InputSize, 3]);
        using var runOptions = new RunOptions();
        using var outputs = Run(runOptions, [_inputName], [input], [_regressors512, _scores512, _regressors384, _scores384]);
        var regressors = new float[_anchors.Length * BlazeFaceDecoder.RegressorsPerAnchor];
        var logits = new float[_anchors.Length];
        outputs[0].GetTensorDataAsSpan<float>().CopyTo(regressors);
        outputs[2].GetTensorDataAsSpan<float>().CopyTo(regressors.AsSpan(outputs[0].GetTensorDataAsSpan<float>().Length));
        outputs[1].GetTensorDataAsSpan<float>().CopyTo(logits);
        outputs[3].GetTensorDataAsSpan<float>().CopyTo(logits.AsSpan(outputs[1].GetTensorDataAsSpan<float>().Length));

        var isTile = !ReferenceEquals(region, image);
        var result = new List<FaceCandidate>();
        foreach (var c in BlazeFaceDecoder.Decode(regressors, logits, _anchors, minScore))
        {
            var topLeft = Map(letterboxed, left, top, new Point2D(c.Box.X, c.Box.Y));
            var bottomRight = Map(letterboxed, left, top, new Point2D(c.Box.Right, c.Box.Bottom));
            var box = new FaceBox(topLeft.X, topLeft.Y, bottomRight.X - topLeft.X, bottomRight.Y - topLeft.Y);
            // A face cut by a tile edge gives a partial box; the neighbouring tile (half overlap) sees it whole.
            if (isTile && !keepCut && CutByTileEdge(box, left, top, width, height, image))
            {
                continue;
            }

            result.Add(new FaceCandidate(box, c.Score, c.Keypoints.Select(p => Map(letterboxed, left, top, p)).ToArray()));
        }

        return result;
    }

    private static bool CutByTileEdge(FaceBox box, int left, int top, int width, int height, RgbImage image)
    {
        const double margin = 2;
        return (left > 0 && box.X < left + margin)
            || (top > 0 && box.Y < top + margin)
            || (left + width < image.Width && box.Right > left + width - margin)
            || (top + height < image.Height && box.Bottom > top + height - margin);
    }

    private static Point2D Map(ResizedImage letterboxed, int left, int top, Point2D p)
    {
        var s = letterboxed.ToSource(p);
        return new Point2D(s.X + left, s.Y + top);
    }

    private IDisposableReadOnlyCollection<OrtValue> Run(RunOptions runOptions, string[] inputNames, OrtValue[] inputs, string[] outputNames)
    {
        using (InferenceClock.Measure())
        {
            return _session.Run(runOptions, inputNames, inputs, outputNames);
        }
    }

    /// <inheritdoc />
    public void Dispose() => _session.Dispose();
}
