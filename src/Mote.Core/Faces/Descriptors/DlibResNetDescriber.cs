using Mote.Core.Faces.Alignment;
using Mote.Core.Imaging;
using Mote.Core.Models;

namespace Mote.Core.Faces.Descriptors;

/// <summary>
/// dlib's ResNet face descriptor (face-api's <c>face_recognition_model</c>): 150x150 RGB crops aligned to
/// <see cref="FaceTemplates.Dlib150"/>, raw 0..255 (the graph subtracts the mean and scales), 128-d,
/// L2-normalised here. Backbone id <c>dlib-resnet</c> (the default until 2026-12-07; now <see cref="FaceDescribers.Default"/>).
/// </summary>
public sealed class DlibResNetDescriber(ModelPackEntry model, OnnxSessionFactory sessions)
    : OnnxFaceDescriber(Id, model, sessions, FaceTemplates.Dlib150, PixelNormalization.Raw)
{
    /// <summary>The backbone id.</summary>
    public const string Id = "dlib-resnet";

    /// <summary>The model pack entry id.</summary>
    public const string ModelId = "face_recognition_model";
}

/// <summary>
/// Human's MobileFace descriptor: 112x112 RGB crops aligned to <see cref="FaceTemplates.InsightFace112"/>,
/// 256-d, L2-normalised here. Backbone id <c>mobileface</c>.
/// </summary>
public sealed class MobileFaceDescriber(ModelPackEntry model, OnnxSessionFactory sessions, PixelNormalization? normalization = null)
    : OnnxFaceDescriber(Id, model, sessions, FaceTemplates.InsightFace112, normalization ?? PixelNormalization.Raw)
{
    /// <summary>The backbone id.</summary>
    public const string Id = "mobileface";

    /// <summary>The model pack entry id.</summary>
    public const string ModelId = "mobileface";
}

/// <summary>Creates the pack's describers (and the user's <c>custom</c> one) by backbone id.</summary>
public static class FaceDescribers
{
    /// <summary>
    /// The backbone id that selects the user's own ONNX recognition model, configured under
    /// <see cref="CustomModelOptions.SectionName"/> (the describer then records the configured
    /// <see cref="OnnxRecognitionOptions.BackboneId"/>, default <c>custom-recognition</c>).
    /// </summary>
    public const string Custom = "custom";

    /// <summary>
    /// The backbone a new installation describes faces with when <c>Mote:Faces:Backbone</c> names none: <c>faceplugin-fr</c>,
    /// chosen by measurement (docs/faces.md "Which backbone qualifies", ADR 0014). A gallery keeps the backbone it was
    /// enrolled on (<c>mote gallery migrate</c> moves it).
    /// </summary>
    public const string Default = FacepluginDescriber.Id;

    /// <summary>Backbone ids this factory knows.</summary>
    public static IReadOnlyList<string> Known { get; } = [DlibResNetDescriber.Id, MobileFaceDescriber.Id, FacepluginDescriber.Id, FusedFaceDescriber.Id, Custom];

    /// <summary>A new describer for <paramref name="backboneId"/>; the caller disposes it.</summary>
    /// <param name="backboneId">One of <see cref="Known"/>.</param>
    /// <param name="pack">The provisioned model pack.</param>
    /// <param name="sessions">Creates the ONNX sessions (not owned).</param>
    /// <param name="custom">Loads the user's model for <see cref="Custom"/>; null when none is configured.</param>
    /// <exception cref="ArgumentException">An unknown backbone id (the message lists the known ones).</exception>
    /// <exception cref="CustomModelConfigurationException"><see cref="Custom"/> without a configured model file.</exception>
    public static IFaceDescriber Create(string backboneId, ModelPack pack, OnnxSessionFactory sessions, CustomModelFactory? custom = null)
    {
        ArgumentNullException.ThrowIfNull(pack);
        return backboneId switch
        {
            DlibResNetDescriber.Id => new DlibResNetDescriber(pack[DlibResNetDescriber.ModelId], sessions),
            MobileFaceDescriber.Id => new MobileFaceDescriber(pack[MobileFaceDescriber.ModelId], sessions),
            FacepluginDescriber.Id => FacepluginDescriber.Create(pack, sessions),
            FusedFaceDescriber.Id => FusedFaceDescriber.Create(pack, sessions),
            Custom => (custom ?? new CustomModelFactory(new CustomModelOptions(), sessions)).CreateDescriber(),
            _ => throw new ArgumentException($"Unknown backbone '{backboneId}'; known backbones: {string.Join(", ", Known)}.", nameof(backboneId)),
        };
    }
}

/// <summary>
/// faceplugin's recognition model (<c>faceplugin_fr</c> in the pack, from <c>faceplugin-face-recognition-js@0.0.1</c>)
/// through <see cref="OnnxRecognitionDescriber"/>: 112x112 RGB NCHW crops aligned to <see cref="FaceTemplates.InsightFace112"/>,
/// (x − 127) / 128 as the package's <c>lib/fr_feature.js</c> does, 512-d, L2-normalised. Backbone id <c>faceplugin-fr</c>.
/// Its publisher does not document the training data (recorded in the pack's licence record).
/// </summary>
public static class FacepluginDescriber
{
    /// <summary>The backbone id.</summary>
    public const string Id = "faceplugin-fr";

    /// <summary>The model pack entry id.</summary>
    public const string ModelId = Models.Faceplugin.FacepluginRecognitionRecipe.ModelId;

    /// <summary>Opens the pack's model; the caller disposes the describer.</summary>
    /// <exception cref="KeyNotFoundException">The pack has no <see cref="ModelId"/>.</exception>
    public static OnnxRecognitionDescriber Create(ModelPack pack, OnnxSessionFactory sessions)
    {
        ArgumentNullException.ThrowIfNull(pack);
        return OnnxRecognitionDescriber.Load(new OnnxRecognitionOptions { Path = pack[ModelId].OnnxPath, BackboneId = Id, Mean = 127f, Std = 128f }, sessions);
    }
}
