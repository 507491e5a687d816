using System.Runtime.CompilerServices;

namespace Mote.Portal.Tests.Infrastructure;

/// <summary>
/// Keeps the tests' secrets (key files, audit anchors) out of the user's <c>~/.config/mote</c>: every
/// in-process CLI run and component test in this assembly uses one temporary secrets folder. And states the backbone
/// these tests describe faces with (<see cref="Backbone"/>) for every in-process CLI run and every portal process they
/// start, unless a test names another.
/// </summary>
internal static class TestEnvironment
{
    /// <summary>
    /// <c>dlib-resnet</c>, not the product's default (<see cref="Mote.Core.Faces.Descriptors.FaceDescribers.Default"/>):
    /// its model-templates train in about a second instead of four and Grad-CAM++ explanations exist for it alone, which
    /// is what most of these tests check. Tests about another backbone, or about the default, say so
    /// (<see cref="PortalStart.Backbone"/>, <c>--Mote:Faces:Backbone=…</c>).
    /// </summary>
    public const string Backbone = Mote.Core.Faces.Descriptors.DlibResNetDescriber.Id;

    /// <summary>The environment variable that picks the backbone (<c>Mote:Faces:Backbone</c>).</summary>
    public const string BackboneVariable = "Mote__Faces__Backbone";

    /// <summary>The same as a configuration key, for the tests' in-memory configurations.</summary>
    public const string BackboneKey = Mote.Core.Faces.Pipeline.FacePipelineOptions.Section + ":Backbone";

    [ModuleInitializer]
    internal static void Initialize()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(BackboneVariable)))
        {
            Environment.SetEnvironmentVariable(BackboneVariable, Backbone);
        }
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("MOTE_SECRETS_DIR")))
        {
            Environment.SetEnvironmentVariable("MOTE_SECRETS_DIR", Directory.CreateTempSubdirectory("mote-test-secrets-").FullName);
        }
    }
}
