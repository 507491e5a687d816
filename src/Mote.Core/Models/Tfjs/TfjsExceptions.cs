namespace Mote.Core.Models.Tfjs;

/// <summary>A TFJS graph model could not be read or converted (malformed file, missing weight, bad attribute).</summary>
public class TfjsConversionException : Exception
{
    /// <summary>Creates the exception with <paramref name="message"/>.</summary>
    public TfjsConversionException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/> and the failure that caused it.</summary>
    public TfjsConversionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>The graph contains an operator (or a fused sub-operator) the converter does not map to ONNX.</summary>
public sealed class UnsupportedTfjsOpException : TfjsConversionException
{
    /// <summary>Creates the exception for op <paramref name="op"/> in node <paramref name="nodeName"/>, with an optional <paramref name="detail"/> appended to the message.</summary>
    public UnsupportedTfjsOpException(string op, string nodeName, string? detail = null)
        : base($"TFJS op '{op}' in node '{nodeName}' is not supported by the ONNX converter{(detail is null ? "." : $": {detail}")}")
    {
        Op = op;
        NodeName = nodeName;
    }

    /// <summary>The TensorFlow op name, e.g. <c>Conv3D</c>, or the fused op name for a fused node.</summary>
    public string Op { get; }

    /// <summary>The name of the graph node that uses it.</summary>
    public string NodeName { get; }
}
