using Mote.Core.Faces.Alignment;

namespace Mote.Core.Faces.Descriptors;

/// <summary>
/// Describes a user-supplied ONNX face-recognition model that follows InsightFace conventions
/// (e.g. <c>w600k_r50.onnx</c>). Defaults are InsightFace's: 112x112 RGB NCHW, (x − 127.5) / 127.5.
/// The product never fetches or bundles such weights (InsightFace's are for non-commercial research only).
/// </summary>
public sealed class OnnxRecognitionOptions
{
    /// <summary>Path of the ONNX file. Required.</summary>
    public string Path { get; set; } = "";

    /// <summary>Stable backbone id recorded in templates and populations. Default <c>custom-recognition</c>.</summary>
    public string BackboneId { get; set; } = "custom-recognition";

    /// <summary>Input width in pixels. Default 112.</summary>
    public int InputWidth { get; set; } = 112;

    /// <summary>Input height in pixels. Default 112.</summary>
    public int InputHeight { get; set; } = 112;

    /// <summary>Subtracted from every 0..255 channel value. Default 127.5.</summary>
    public float Mean { get; set; } = 127.5f;

    /// <summary>Divides every channel value after the mean. Default 127.5 (input range −1..1).</summary>
    public float Std { get; set; } = 127.5f;

    /// <summary>Channel order of the input tensor. Default <see cref="ChannelOrder.Rgb"/> (InsightFace's ONNX exports swap to RGB).</summary>
    public ChannelOrder ChannelOrder { get; set; } = ChannelOrder.Rgb;

    /// <summary>Memory layout of the input tensor. Default <see cref="TensorLayout.Nchw"/>.</summary>
    public TensorLayout Layout { get; set; } = TensorLayout.Nchw;

    /// <summary>The normalisation these options describe.</summary>
    public PixelNormalization Normalization => new(ChannelOrder, (Mean, Mean, Mean), (Std, Std, Std));
}
