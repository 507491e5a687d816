namespace Mote.Core.Models.Tfjs;

/// <summary>
/// The spatial part of a TF convolution or pooling node (NHWC): kernel, strides, dilations and padding,
/// resolved into ONNX attributes. TF's SAME padding puts the odd extra pixel at the end (bottom/right);
/// when the input size is known we write it as explicit pads, otherwise as ONNX <c>SAME_UPPER</c>,
/// which ONNX defines the same way.
/// </summary>
internal sealed record TfjsWindow(long KernelH, long KernelW, long StrideH, long StrideW, long DilationH, long DilationW, long[]? Pads, string? AutoPad)
{
    public static TfjsWindow From(TfjsNode node, long kernelH, long kernelW, long[]? inputShape)
    {
        var format = node.GetString("data_format", "NHWC");
        if (format != "NHWC")
        {
            throw new UnsupportedTfjsOpException(node.Op, node.Name, $"data_format '{format}' (only NHWC)");
        }
        var strides = node.GetInts("strides", [1, 1, 1, 1]);
        var dilations = node.GetInts("dilations", [1, 1, 1, 1]);
        if (strides.Length != 4 || dilations.Length != 4)
        {
            throw new TfjsConversionException($"Node '{node.Name}' ({node.Op}) has strides/dilations of rank other than 4.");
        }
        var (sh, sw, dh, dw) = (strides[1], strides[2], dilations[1], dilations[2]);
        var padding = node.GetString("padding");
        long[]? pads;
        string? autoPad = null;
        switch (padding)
        {
            case "VALID":
                pads = [0, 0, 0, 0];
                break;
            case "EXPLICIT":
                var e = node.GetInts("explicit_paddings");
                if (e.Length != 8)
                {
                    throw new TfjsConversionException($"Node '{node.Name}' ({node.Op}) has {e.Length} explicit paddings; 8 (NHWC pairs) expected.");
                }
                pads = [e[2], e[4], e[3], e[5]];
                break;
            case "SAME":
                var inH = inputShape is { Length: 4 } ? inputShape[1] : -1;
                var inW = inputShape is { Length: 4 } ? inputShape[2] : -1;
                if (inH > 0 && inW > 0)
                {
                    var (top, bottom) = SamePads(inH, kernelH, sh, dh);
                    var (left, right) = SamePads(inW, kernelW, sw, dw);
                    pads = [top, left, bottom, right];
                }
                else
                {
                    pads = null;
                    autoPad = "SAME_UPPER";
                }
                break;
            default:
                throw new UnsupportedTfjsOpException(node.Op, node.Name, $"padding '{padding}'");
        }
        return new TfjsWindow(kernelH, kernelW, sh, sw, dh, dw, pads, autoPad);
    }

    /// <summary>TF SAME: output = ceil(in / stride); the total padding is split with the extra pixel at the end.</summary>
    public static (long Before, long After) SamePads(long input, long kernel, long stride, long dilation)
    {
        var output = (input + stride - 1) / stride;
        var effective = ((kernel - 1) * dilation) + 1;
        var total = Math.Max(((output - 1) * stride) + effective - input, 0);
        return (total / 2, total - (total / 2));
    }

    /// <summary>ONNX attributes for Conv / MaxPool / AveragePool (dilations only for Conv).</summary>
    public Dictionary<string, object> OnnxAttributes(bool withDilations)
    {
        var a = new Dictionary<string, object>
        {
            ["kernel_shape"] = new[] { KernelH, KernelW },
            ["strides"] = new[] { StrideH, StrideW },
        };
        if (withDilations)
        {
            a["dilations"] = new[] { DilationH, DilationW };
        }
        if (Pads is { } p)
        {
            a["pads"] = p;
        }
        else
        {
            a["auto_pad"] = AutoPad!;
        }
        return a;
    }

    /// <summary>The NHWC output shape for <paramref name="input"/> with <paramref name="channels"/> output channels.</summary>
    public long[] OutputShape(long[]? input, long channels)
    {
        var n = input is { Length: 4 } ? input[0] : -1;
        var h = input is { Length: 4 } ? OutputSize(input[1], KernelH, StrideH, DilationH, Pads?[0], Pads?[2]) : -1;
        var w = input is { Length: 4 } ? OutputSize(input[2], KernelW, StrideW, DilationW, Pads?[1], Pads?[3]) : -1;
        return [n, h, w, channels];
    }

    private static long OutputSize(long input, long kernel, long stride, long dilation, long? before, long? after)
    {
        if (input < 0)
        {
            return -1;
        }
        if (before is null)
        {
            return (input + stride - 1) / stride;
        }
        var effective = ((kernel - 1) * dilation) + 1;
        return ((input + before.Value + after!.Value - effective) / stride) + 1;
    }
}
