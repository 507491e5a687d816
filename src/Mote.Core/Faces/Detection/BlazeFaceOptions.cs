namespace Mote.Core.Faces.Detection;

/// <summary>Thresholds and search settings for <see cref="BlazeFaceDetector"/>.</summary>
public sealed record BlazeFaceOptions
{
    /// <summary>Lowest face probability kept, 0..1. Default 0.5.</summary>
    public double MinScore { get; init; } = 0.5;

    /// <summary>Candidates overlapping a better one by more than this IoU are blended into it. Default 0.3 (MediaPipe).</summary>
    public double IouThreshold { get; init; } = 0.3;

    /// <summary>At most this many faces are returned (best first). Default 64.</summary>
    public int MaxFaces { get; init; } = 64;

    /// <summary>
    /// Whether large photos are also searched in overlapping tiles, so that small faces (from about 40 px wide)
    /// are not lost when the whole photo is shrunk to the 256-pixel input. Default true. A face found only in a
    /// tile is kept only when second looks at enlarged crops around it (<see cref="ConfirmCropScales"/>) all find it
    /// again with at least <see cref="ConfirmMinScore"/>: without that check 512-px tiles added 8 spurious
    /// detections on the face-api demo photos, with it none (docs/faces.md).
    /// </summary>
    public bool Tiling { get; init; } = true;

    /// <summary>
    /// Tiles are squares of this many source pixels (overlapping by half). Default 512: a 40-pixel face becomes
    /// 20 input pixels. 256, 320, 384 and 512 all found the 24 pasted 42–70 px faces of docs/faces.md; with 36–44 px
    /// faces 512 found 24 of 24 and 384 22 of 24, and 512 is the cheapest (20 tiles for 1600x1200) and the only
    /// size that added no detection on the demo photos.
    /// </summary>
    public int TileSize { get; init; } = 512;

    /// <summary>
    /// Tiles are searched only when the photo's longer side exceeds this many pixels. Default 512 (twice the
    /// input): up to there a 40-pixel face is still at least 20 input pixels in the whole-photo pass (512-px
    /// tiles, the same scale, found every pasted face), and a 250x250 photo costs one pass as before.
    /// </summary>
    public int TilingMinSide { get; init; } = 512;

    /// <summary>
    /// Sides of the confirmation crops in face widths (see <see cref="Tiling"/>). Default 2.5 and 4: on the
    /// candidates of docs/faces.md the lower of the two scores was at least 0.68 for every pasted face and at most
    /// 0.56 for every spurious one but the badge (one scale alone: 0.71 against 0.59).
    /// </summary>
    public IReadOnlyList<double> ConfirmCropScales { get; init; } = [2.5, 4];

    /// <summary>Lowest score every second look must give a tile-only face (see <see cref="Tiling"/>). Default 0.62.</summary>
    public double ConfirmMinScore { get; init; } = 0.62;

    /// <summary>Checks the values; throws <see cref="ArgumentOutOfRangeException"/> naming the bad option.</summary>
    public void Validate()
    {
        if (!(MinScore >= 0 && MinScore <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(MinScore), MinScore, "MinScore must lie in [0, 1].");
        }

        if (!(IouThreshold >= 0 && IouThreshold <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(IouThreshold), IouThreshold, "IouThreshold must lie in [0, 1].");
        }

        if (MaxFaces < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxFaces), MaxFaces, "MaxFaces must be at least 1.");
        }

        if (!(ConfirmMinScore >= 0 && ConfirmMinScore <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(ConfirmMinScore), ConfirmMinScore, "ConfirmMinScore must lie in [0, 1].");
        }

        if (ConfirmCropScales is null || ConfirmCropScales.Count == 0 || ConfirmCropScales.Any(s => !(s >= 1)))
        {
            throw new ArgumentOutOfRangeException(nameof(ConfirmCropScales), "ConfirmCropScales must hold at least one scale, each at least 1.");
        }

        if (TilingMinSide < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(TilingMinSide), TilingMinSide, "TilingMinSide must be at least 1 pixel.");
        }

        if (TileSize < 64)
        {
            throw new ArgumentOutOfRangeException(nameof(TileSize), TileSize, "TileSize must be at least 64 pixels.");
        }
    }
}
