using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Mote.Core.Models.Tfjs;

/// <summary>A reference to output <see cref="Index"/> of node <see cref="Node"/> (model.json writes it "name" or "name:1").</summary>
internal readonly record struct TfjsTensorRef(string Node, int Index)
{
    public static TfjsTensorRef Parse(string text)
    {
        var colon = text.LastIndexOf(':');
        if (colon > 0 && int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var index))
        {
            return new TfjsTensorRef(text[..colon], index);
        }
        return new TfjsTensorRef(text, 0);
    }

    public override string ToString() => Index == 0 ? Node : $"{Node}:{Index}";
}

/// <summary>One node of <c>modelTopology.node</c>: its data inputs (control inputs <c>^x</c> are kept apart) and raw attributes.</summary>
internal sealed class TfjsNode
{
    private readonly IReadOnlyDictionary<string, JsonElement> _attr;

    public TfjsNode(string name, string op, IReadOnlyList<TfjsTensorRef> inputs, IReadOnlyList<string> controlInputs, IReadOnlyDictionary<string, JsonElement> attr)
    {
        Name = name;
        Op = op;
        Inputs = inputs;
        ControlInputs = controlInputs;
        _attr = attr;
    }

    public string Name { get; }

    public string Op { get; }

    public IReadOnlyList<TfjsTensorRef> Inputs { get; }

    public IReadOnlyList<string> ControlInputs { get; }

    public bool HasAttr(string name) => _attr.ContainsKey(name);

    /// <summary>A string attribute (<c>{"s": base64}</c>), decoded as UTF-8; <paramref name="fallback"/> when absent.</summary>
    public string GetString(string name, string? fallback = null)
    {
        if (_attr.TryGetValue(name, out var a) && a.TryGetProperty("s", out var s))
        {
            return Encoding.UTF8.GetString(Convert.FromBase64String(s.GetString() ?? ""));
        }
        return fallback ?? throw MissingAttr(name);
    }

    /// <summary>A type attribute (<c>{"type": "DT_FLOAT"}</c>).</summary>
    public string GetDType(string name)
    {
        return _attr.TryGetValue(name, out var a) && a.TryGetProperty("type", out var t) ? t.GetString() ?? "" : throw MissingAttr(name);
    }

    /// <summary>A list-of-strings attribute (<c>{"list": {"s": [base64...]}}</c>); empty when absent.</summary>
    public IReadOnlyList<string> GetStrings(string name)
    {
        if (_attr.TryGetValue(name, out var a) && a.TryGetProperty("list", out var list) && list.TryGetProperty("s", out var s))
        {
            return [.. s.EnumerateArray().Select(e => Encoding.UTF8.GetString(Convert.FromBase64String(e.GetString() ?? "")))];
        }
        return [];
    }

    /// <summary>A list-of-ints attribute (<c>{"list": {"i": ["1", ...]}}</c>, ints written as strings); <paramref name="fallback"/> when absent or empty.</summary>
    public long[] GetInts(string name, long[]? fallback = null)
    {
        if (_attr.TryGetValue(name, out var a) && a.TryGetProperty("list", out var list) && list.TryGetProperty("i", out var i))
        {
            var values = i.EnumerateArray().Select(ReadInt64).ToArray();
            if (values.Length > 0)
            {
                return values;
            }
        }
        return fallback ?? throw MissingAttr(name);
    }

    public long GetInt(string name, long fallback)
    {
        return _attr.TryGetValue(name, out var a) && a.TryGetProperty("i", out var i) ? ReadInt64(i) : fallback;
    }

    public float GetFloat(string name, float fallback)
    {
        return _attr.TryGetValue(name, out var a) && a.TryGetProperty("f", out var f) ? (float)ReadDouble(f) : fallback;
    }

    public bool GetBool(string name, bool fallback)
    {
        return _attr.TryGetValue(name, out var a) && a.TryGetProperty("b", out var b) ? b.GetBoolean() : fallback;
    }

    /// <summary>The <c>shape</c> attribute of a placeholder as dimensions (-1 = unknown), or null when the rank is unknown.</summary>
    public long[]? GetShape(string name)
    {
        if (!_attr.TryGetValue(name, out var a) || !a.TryGetProperty("shape", out var shape))
        {
            return null;
        }
        if (shape.TryGetProperty("unknownRank", out var unknown) && unknown.GetBoolean())
        {
            return null;
        }
        return shape.TryGetProperty("dim", out var dims)
            ? [.. dims.EnumerateArray().Select(d => d.TryGetProperty("size", out var size) ? ReadInt64(size) : -1)]
            : [];
    }

    private TfjsConversionException MissingAttr(string name) =>
        new($"Node '{Name}' ({Op}) lacks the required attribute '{name}'.");

    // The TFJS converter writes int64 values as JSON strings, floats as numbers or as "NaN"/"Infinity" strings.
    private static long ReadInt64(JsonElement e) =>
        e.ValueKind == JsonValueKind.String ? long.Parse(e.GetString()!, CultureInfo.InvariantCulture) : e.GetInt64();

    private static double ReadDouble(JsonElement e) =>
        e.ValueKind == JsonValueKind.String ? double.Parse(e.GetString()!, CultureInfo.InvariantCulture) : e.GetDouble();
}
