using System.Text.Json;
using System.Text.Json.Serialization;

namespace Mote.Core.Models;

/// <summary>
/// A graph input: name, shape (-1 for a dynamic dimension such as the batch), memory layout,
/// colour order and the value range/normalisation the caller must supply.
/// </summary>
public sealed record ModelInputSpec(string Name, IReadOnlyList<long> Shape, string Layout, string ColorOrder, string Normalization);

/// <summary>A graph output: name, shape (-1 for dynamic) and what the values mean.</summary>
public sealed record ModelOutputSpec(string Name, IReadOnlyList<long> Shape, string Meaning);

/// <summary>Licences of the package code and of the weights, as recorded from the package itself.</summary>
public sealed record ModelLicense(string Package, string Weights, string Notes);

/// <summary>
/// Everything recorded about one converted model, stored as <c>manifest.json</c> next to
/// <c>model.onnx</c>. <see cref="OnnxSha256"/> (lower-case hex) is what a cached entry is checked against.
/// </summary>
public sealed record ModelManifest(
    string Id,
    int RecipeVersion,
    string Source,
    string TarballSha512,
    string PackagePath,
    string OnnxSha256,
    IReadOnlyList<ModelInputSpec> Inputs,
    IReadOnlyList<ModelOutputSpec> Outputs,
    ModelLicense License,
    string Notes)
{
    /// <summary>The file name of a manifest inside a model's cache directory.</summary>
    public const string FileName = "manifest.json";

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    /// <summary>Serialises the manifest as indented camel-case JSON (the form <see cref="FromJson"/> reads back).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    /// <summary>Parses a manifest; throws <see cref="ModelProvisioningException"/> naming <paramref name="origin"/> when malformed.</summary>
    public static ModelManifest FromJson(string json, string origin)
    {
        try
        {
            return JsonSerializer.Deserialize<ModelManifest>(json, JsonOptions)
                ?? throw new ModelProvisioningException($"Model manifest '{origin}' is empty.");
        }
        catch (JsonException e)
        {
            throw new ModelProvisioningException($"Model manifest '{origin}' is not valid JSON: {e.Message}", e);
        }
    }
}
