using Mote.Core.Faces.Descriptors;
using Mote.Core.Faces.Pipeline;

namespace Mote.Gallery.Tests.Builders;

/// <summary>
/// The backbone the Gallery's tests describe faces with unless a test names another: <c>dlib-resnet</c>, not the product's
/// default (<see cref="FaceDescribers.Default"/>). Its model-templates train in about a second instead of four, its
/// descriptors are 128-d, and Grad-CAM++ explanations exist for it alone, which is what most of these tests check; tests
/// about another backbone (or about the default itself) configure it themselves.
/// </summary>
public static class TestBackbone
{
    public const string Id = DlibResNetDescriber.Id;

    /// <summary>The configuration key that picks the backbone (<c>Mote:Faces:Backbone</c>).</summary>
    public const string Key = FacePipelineOptions.Section + ":Backbone";
}
