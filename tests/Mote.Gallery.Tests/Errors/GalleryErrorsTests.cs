using Mote.Core.Faces;
using Mote.Core.Faces.Descriptors;
using Mote.Core.Models;
using Mote.Core.Templates;
using Mote.Gallery.Errors;
using Mote.Gallery.Jobs;
using Mote.Gallery.Security;
using Mote.Gallery.Tests.Builders;

namespace Mote.Gallery.Tests.Errors;

/// <summary>The one map from exceptions to refusals that the pages, the REST API, the CLI and the job runtime share (issue 18 item 2).</summary>
public sealed class GalleryErrorsTests
{
    public static TheoryData<Exception, GalleryErrorKind> Refusals() => new()
    {
        { new GalleryException("No such person."), GalleryErrorKind.Invalid },
        { new GalleryException("Nobody called Ada.", GalleryErrorKind.NotFound), GalleryErrorKind.NotFound },
        { new GalleryConcurrencyException("Someone else changed it; reload."), GalleryErrorKind.Conflict },
        { new PermissionDeniedException(Actors.Auditor, Permission.ManageGallery), GalleryErrorKind.Forbidden },
        { new ModelProvisioningException("npm could not fetch the pack."), GalleryErrorKind.Unavailable },
        { new TorchRuntimeUnavailableException("libtorch did not load."), GalleryErrorKind.Unavailable },
        { new CustomModelException("The model's input is 1x3x160x160, not 112."), GalleryErrorKind.Invalid },
        { new CustomModelConfigurationException("Mote:Faces:Custom:Recognition:Path is empty."), GalleryErrorKind.Invalid },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public void Classify_Refusal_KindAndTheSameWords(Exception exception, GalleryErrorKind kind)
    {
        var refusal = GalleryErrors.Classify(exception);

        Assert.NotNull(refusal);
        Assert.Equal(kind, refusal.Kind);
        Assert.Equal(exception.Message, refusal.Message);
        Assert.True(GalleryErrors.IsRefusal(exception));
    }

    [Fact]
    public void Classify_Busy_CarriesWhenToTryAgain()
    {
        var refusal = GalleryErrors.Classify(new GalleryBusyException("64 enrollments already wait.", TimeSpan.FromSeconds(30)));

        Assert.Equal(new GalleryError(GalleryErrorKind.Busy, "64 enrollments already wait.", TimeSpan.FromSeconds(30)), refusal);
    }

    [Theory]
    [InlineData(typeof(InvalidOperationException))]
    [InlineData(typeof(IOException))]
    [InlineData(typeof(NullReferenceException))]
    public void Classify_Fault_Null(Type fault)
    {
        var exception = (Exception)Activator.CreateInstance(fault, "a bug")!;

        Assert.Null(GalleryErrors.Classify(exception));
        Assert.False(GalleryErrors.IsRefusal(exception));
    }
}
