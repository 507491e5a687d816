namespace Mote.Core.Faces.Detection;

/// <summary>
/// A user-supplied SCRFD detector file with InsightFace's conventions (e.g. <c>det_10g.onnx</c>,
/// <c>det_2.5g.onnx</c>). The product never fetches or bundles such weights (non-commercial licence).
/// </summary>
public sealed class ScrfdOptions
{
    /// <summary>Path of the ONNX file. Required.</summary>
    public string Path { get; set; } = "";

    /// <summary>Detector id recorded with results. Default <c>scrfd</c>.</summary>
    public string Id { get; set; } = "scrfd";

    /// <summary>Side of the square network input in pixels; a multiple of 32. Default 640 (InsightFace's <c>det_size</c>).</summary>
    public int InputSize { get; set; } = 640;

    /// <summary>Minimum score of a reported face. Default 0.5 (InsightFace's <c>detect(threshold=0.5)</c>).</summary>
    public float ScoreThreshold { get; set; } = 0.5f;

    /// <summary>Boxes overlapping a better one by more than this IoU are dropped. Default 0.4 (InsightFace's <c>nms_threshold</c>).</summary>
    public double NmsThreshold { get; set; } = 0.4;
}
