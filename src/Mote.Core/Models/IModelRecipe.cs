namespace Mote.Core.Models;

/// <summary>
/// How one model of the pack is made from one pinned package. The provisioner fetches and verifies
/// <see cref="Source"/>, extracts it and calls <see cref="Build"/>; it never interprets the model itself.
/// Recipes written in code (face-api's weights-only nets) and the TFJS graph converter's recipes both
/// plug in here.
/// </summary>
public interface IModelRecipe
{
    /// <summary>The model id: the cache sub-directory name and the key in <see cref="ModelPack"/>.</summary>
    string Id { get; }

    /// <summary>
    /// Bumped whenever <see cref="Build"/> would produce a different model, so that cached entries
    /// made by an older recipe are rebuilt.
    /// </summary>
    int Version { get; }

    /// <summary>The package the model comes from.</summary>
    PinnedPackage Source { get; }

    /// <summary>Builds the model from the extracted package root (the directory holding <c>package.json</c>).</summary>
    ConvertedModel Build(string packageDir);

    /// <summary>
    /// The licence record this recipe states now, or null (the default) to keep the one written at conversion. The record
    /// is a statement of this code about the package, not part of the converted model: when set, it replaces a cached
    /// manifest's record as the pack is loaded, so correcting the wording needs no re-conversion (and no new
    /// <see cref="Version"/>).
    /// </summary>
    ModelLicense? StatedLicense => null;
}

/// <summary>The result of a recipe: ONNX bytes plus the description that goes into the manifest.</summary>
public sealed record ConvertedModel(
    byte[] Onnx,
    string PackagePath,
    IReadOnlyList<ModelInputSpec> Inputs,
    IReadOnlyList<ModelOutputSpec> Outputs,
    ModelLicense License,
    string Notes);
