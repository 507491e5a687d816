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
    /// Whether large photos are also searched in overlapping tiles, so that small faces in a group photo
    /// are not lost when the whole photo is shrunk to the 256-pixel input. Default false: on the face-api demo
    /// photos (faces 150–250 px) the whole-photo pass alone found all 22 faces, while 512-px tiles added 8 spurious
    /// detections (768-px tiles: 4) and took more than 10x longer (docs/faces.md). Tiles need their own score
    /// threshold before this can be the default.
    /// </summary>
    public bool Tiling { get; init; }

    /// <summary>
    /// Tiles are squares of this many source pixels (overlapping by half), searched when the photo's longer
    /// side exceeds 1.5 tiles. Default 512: a 40-pixel face becomes 20 input pixels.
    /// </summary>
    public int TileSize { get; init; } = 512;

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

        if (TileSize < 64)
        {
            throw new ArgumentOutOfRangeException(nameof(TileSize), TileSize, "TileSize must be at least 64 pixels.");
        }
    }
}
