namespace Mote.Core.Models.FaceApi;

/// <summary>Converts TensorFlow weight layouts and padding rules to ONNX ones.</summary>
internal static class TfLayout
{
    /// <summary>A conv filter from TensorFlow's HWIO <c>[k, k, in, out]</c> to ONNX's OIHW <c>[out, in, k, k]</c>.</summary>
    public static float[] HwioToOihw(float[] hwio, int k, int channelsIn, int channelsOut)
    {
        var oihw = new float[hwio.Length];
        for (var h = 0; h < k; h++)
        {
            for (var w = 0; w < k; w++)
            {
                for (var i = 0; i < channelsIn; i++)
                {
                    for (var o = 0; o < channelsOut; o++)
                    {
                        oihw[((((o * channelsIn) + i) * k) + h) * k + w] = hwio[((((h * k) + w) * channelsIn) + i) * channelsOut + o];
                    }
                }
            }
        }
        return oihw;
    }

    /// <summary>
    /// TensorFlow "same" padding of one spatial axis as ONNX (begin, end): the output is ceil(size / stride)
    /// and any odd total padding goes at the end (e.g. 3x3 stride 2 on 112 px pads 0 before, 1 after).
    /// </summary>
    public static (long Begin, long End) SamePadding(int size, int kernel, int stride)
    {
        var output = (size + stride - 1) / stride;
        var total = Math.Max(((output - 1) * stride) + kernel - size, 0);
        return (total / 2, total - (total / 2));
    }
}
