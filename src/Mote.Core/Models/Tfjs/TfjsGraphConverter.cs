using Mote.Core.Models.Onnx;

namespace Mote.Core.Models.Tfjs;

/// <summary>
/// Converts a TensorFlow.js graph model (model.json + binary shards) into an ONNX model (IR 8, opset 17)
/// that ONNX Runtime runs with the same results: parity tests against TensorFlow.js 4.22.0 hold every
/// output within 1e-4 of its largest magnitude. Inputs and outputs keep TF's NHWC layout and node names.
/// </summary>
public static class TfjsGraphConverter
{
    /// <summary>The TF op names the converter maps, besides <c>Placeholder</c> and <c>Const</c>.</summary>
    public static IReadOnlyCollection<string> SupportedOps => TfjsOpTable.Supported;

    /// <summary>
    /// Reads <paramref name="modelJsonPath"/> and the shards it names (from the same folder) and converts
    /// the part of the graph the outputs depend on. Nothing on disk is modified.
    /// </summary>
    /// <exception cref="UnsupportedTfjsOpException">A reachable node uses an op the converter does not map.</exception>
    /// <exception cref="TfjsConversionException">The model is malformed or uses an unsupported form of a supported op.</exception>
    public static ConvertedGraph Convert(string modelJsonPath, TfjsConversionOptions options)
    {
        ArgumentNullException.ThrowIfNull(modelJsonPath);
        ArgumentNullException.ThrowIfNull(options);
        var model = TfjsModelFile.Load(modelJsonPath);
        var weights = TfjsWeightLoader.Load(model);
        var nodes = model.Nodes.ToDictionary(n => n.Name, StringComparer.Ordinal);

        var outputs = ChooseOutputs(model, nodes, options);
        var order = TopologicalOrder(outputs.Select(o => o.Tensor.Node), nodes);

        var builder = new OnnxGraphBuilder(options.GraphName ?? Path.GetFileNameWithoutExtension(modelJsonPath));
        // Reserve the output names first so that no internal tensor takes them.
        foreach (var o in outputs)
        {
            builder.UniqueName(o.Name);
        }
        var ctx = new TfjsConversionContext(builder);
        var inputs = new List<ConvertedTensorInfo>();
        var opCounts = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var node in order)
        {
            opCounts[node.Op] = opCounts.GetValueOrDefault(node.Op) + 1;
            switch (node.Op)
            {
                case "Placeholder":
                    var info = AddPlaceholder(node, model, builder, options);
                    inputs.Add(info);
                    ctx.Set(node.Name, TfjsValue.Tensor(info.Name, [.. info.Shape]));
                    break;
                case "Const":
                    if (!weights.TryGetValue(node.Name, out var constant))
                    {
                        throw new TfjsConversionException($"Const node '{node.Name}' has no weight of that name in the manifest of '{modelJsonPath}'.");
                    }
                    ctx.Set(node.Name, TfjsValue.Const(constant));
                    break;
                default:
                    if (node.Inputs.Any(i => i.Index != 0))
                    {
                        var multi = node.Inputs.First(i => i.Index != 0);
                        throw new UnsupportedTfjsOpException(nodes[multi.Node].Op, multi.Node, $"output {multi.Index} is used by '{node.Name}'; multi-output ops are not mapped");
                    }
                    ctx.Set(node.Name, TfjsOpTable.Emit(node, ctx));
                    break;
            }
        }

        var outputInfos = new List<ConvertedTensorInfo>();
        foreach (var o in outputs)
        {
            if (!ctx.TryGet(o.Tensor, out var value))
            {
                throw new TfjsConversionException($"Output '{o.Tensor}' of '{modelJsonPath}' was not produced.");
            }
            builder.AddNode("Identity", [ctx.Materialise(value)], [o.Name]);
            var shape = value.Shape ?? throw new TfjsConversionException($"Output '{o.Name}' has unknown rank.");
            builder.AddOutput(o.Name, OnnxElementType.Float, [.. shape.Select((d, i) => ToOnnxDim(d, i, o.Name))]);
            outputInfos.Add(new ConvertedTensorInfo(o.Name, shape, o.Key));
        }

        var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["source"] = Path.GetFileName(modelJsonPath),
            ["converter"] = nameof(TfjsGraphConverter),
            ["layout"] = "NHWC",
        };
        foreach (var (k, v) in options.Metadata ?? new Dictionary<string, string>())
        {
            metadata[k] = v;
        }
        var bytes = OnnxModelWriter.Write(builder, new OnnxModelInfo("Mote.Core", "1", $"Converted from TFJS graph model {Path.GetFileName(modelJsonPath)}", metadata));
        return new ConvertedGraph(bytes, inputs, outputInfos, opCounts);
    }

    private static OnnxDim ToOnnxDim(long d, int index, string tensor) =>
        d >= 0 ? d : index == 0 ? "batch" : $"{tensor}_d{index}";

    private static ConvertedTensorInfo AddPlaceholder(TfjsNode node, TfjsModelFile model, OnnxGraphBuilder builder, TfjsConversionOptions options)
    {
        var dtype = node.HasAttr("dtype") ? node.GetDType("dtype") : "DT_FLOAT";
        if (dtype != "DT_FLOAT")
        {
            throw new UnsupportedTfjsOpException("Placeholder", node.Name, $"input dtype {dtype} (only DT_FLOAT)");
        }
        var shape = node.GetShape("shape")
            ?? throw new TfjsConversionException($"Placeholder '{node.Name}' has no shape; the converter needs the input rank.");
        if (options.FixedBatchSize is { } batch && shape.Length > 0 && shape[0] < 0)
        {
            shape[0] = batch;
        }
        builder.AddInput(node.Name, OnnxElementType.Float, [.. shape.Select((d, i) => ToOnnxDim(d, i, node.Name))]);
        var key = model.SignatureInputs.FirstOrDefault(s => s.Tensor.Node == node.Name)?.Key;
        return new ConvertedTensorInfo(node.Name, shape, key);
    }

    private sealed record OutputChoice(string Name, TfjsTensorRef Tensor, string? Key);

    private static List<OutputChoice> ChooseOutputs(TfjsModelFile model, Dictionary<string, TfjsNode> nodes, TfjsConversionOptions options)
    {
        List<OutputChoice> outputs;
        if (options.OutputNodes is { Count: > 0 } requested)
        {
            outputs = [.. requested.Select(r => new OutputChoice(r, TfjsTensorRef.Parse(r), model.SignatureOutputs.FirstOrDefault(s => s.Tensor.ToString() == r)?.Key))];
        }
        else if (model.SignatureOutputs.Count > 0)
        {
            outputs = [.. model.SignatureOutputs.Select(s => new OutputChoice(s.Tensor.ToString(), s.Tensor, s.Key))];
        }
        else
        {
            var consumed = new HashSet<string>(model.Nodes.SelectMany(n => n.Inputs.Select(i => i.Node).Concat(n.ControlInputs)), StringComparer.Ordinal);
            outputs = [.. model.Nodes.Where(n => n.Op != "Const" && !consumed.Contains(n.Name)).Select(n => new OutputChoice(n.Name, new TfjsTensorRef(n.Name, 0), null))];
        }
        foreach (var o in outputs)
        {
            if (!nodes.ContainsKey(o.Tensor.Node))
            {
                throw new TfjsConversionException($"Requested output '{o.Name}' is not a node of '{model.Path}'.");
            }
        }
        if (outputs.GroupBy(o => o.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } duplicate)
        {
            throw new TfjsConversionException($"Output '{duplicate.Key}' of '{model.Path}' is requested more than once.");
        }
        if (outputs.Count == 0)
        {
            throw new TfjsConversionException($"'{model.Path}' has no outputs to convert.");
        }
        return outputs;
    }

    // Depth-first from the outputs: converts only what the outputs need, in an order where inputs come first,
    // whatever order model.json lists its nodes in. Iterative, as real graphs are deeper than a safe recursion.
    private static List<TfjsNode> TopologicalOrder(IEnumerable<string> roots, Dictionary<string, TfjsNode> nodes)
    {
        var order = new List<TfjsNode>();
        var state = new Dictionary<string, bool>(StringComparer.Ordinal); // false: in progress, true: done
        foreach (var root in roots)
        {
            var stack = new Stack<(string Name, bool Expanded)>();
            stack.Push((root, false));
            while (stack.Count > 0)
            {
                var (name, expanded) = stack.Pop();
                if (expanded)
                {
                    state[name] = true;
                    order.Add(nodes[name]);
                    continue;
                }
                if (state.ContainsKey(name))
                {
                    continue;
                }
                if (!nodes.TryGetValue(name, out var node))
                {
                    throw new TfjsConversionException($"Node input '{name}' names no node of the graph.");
                }
                state[name] = false;
                stack.Push((name, true));
                foreach (var input in node.Inputs)
                {
                    if (!state.TryGetValue(input.Node, out var finished))
                    {
                        stack.Push((input.Node, false));
                    }
                    else if (!finished)
                    {
                        // Every in-progress node is an ancestor of this one on the current path.
                        throw new TfjsConversionException($"The graph has a cycle through nodes '{name}' and '{input.Node}'.");
                    }
                }
            }
        }
        return order;
    }
}
