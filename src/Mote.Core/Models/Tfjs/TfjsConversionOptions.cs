namespace Mote.Core.Models.Tfjs;

/// <summary>Settings for <see cref="TfjsGraphConverter.Convert"/>. The defaults convert the whole graph as published.</summary>
public sealed record TfjsConversionOptions
{
    /// <summary>Default options: symbolic batch where the graph has one, outputs from the signature or the graph's sinks.</summary>
    public static TfjsConversionOptions Default { get; } = new();

    /// <summary>
    /// Node names to expose as outputs, in this order. Default <c>null</c>: the model.json signature's
    /// outputs if it has any, else every non-constant node that no other node consumes, in file order.
    /// </summary>
    public IReadOnlyList<string>? OutputNodes { get; init; }

    /// <summary>
    /// Replaces a placeholder's unknown (-1) batch dimension with this size. Default <c>null</c>: keep it
    /// symbolic (ONNX <c>dim_param</c> "batch"). Graphs that declare a fixed batch keep it either way.
    /// </summary>
    public int? FixedBatchSize { get; init; }

    /// <summary>The ONNX graph name. Default <c>null</c>: the model.json file name without extension.</summary>
    public string? GraphName { get; init; }

    /// <summary>Extra key/value pairs written into the ONNX model's metadata. Default: none.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }
}
