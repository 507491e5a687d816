using Mote.Core.Imaging;
using Mote.Gallery.Engine;
using Mote.Gallery.People;

namespace Mote.Gallery.Tests.Engine;

/// <summary>The one photo policy (issue 18, item 1): its limit is the decoder's, its refusals are the same words for every front end.</summary>
public sealed class PhotoPolicyTests
{
    private static readonly byte[] JpegStart = [0xFF, 0xD8, 0xFF, 0xE0];

    [Fact]
    public void MaxBytes_IsTheDecodersOwnLimit_10MB()
    {
        Assert.Equal(new ImageDecoderOptions().MaxEncodedBytes, PhotoPolicy.MaxBytes);
        Assert.Equal(PhotoPolicy.DecoderOptions.MaxEncodedBytes, PhotoPolicy.MaxBytes);
        Assert.Equal(10_000_000, PhotoPolicy.MaxBytes);
        Assert.Equal("10 MB", PhotoPolicy.Limit);
        Assert.Equal("PNG or JPEG, at most 10 MB", PhotoPolicy.Description);
    }

    [Fact]
    public void CheckSize_AtTheLimitAccepted_OneByteOverRefusedAsTooLargeInWords()
    {
        PhotoPolicy.CheckSize(PhotoPolicy.MaxBytes);

        var named = Assert.Throws<GalleryException>(() => PhotoPolicy.CheckSize(PhotoPolicy.MaxBytes + 1, "huge.jpg"));
        var unnamed = Assert.Throws<GalleryException>(() => PhotoPolicy.CheckSize(new byte[PhotoPolicy.MaxBytes + 1]));

        Assert.Equal(GalleryErrorKind.PhotoTooLarge, named.Kind);
        Assert.Equal("“huge.jpg” is too large: 10.0 MB (10,000,001 bytes); the limit is 10 MB (10,000,000 bytes).", named.Message);
        Assert.Equal("The photo is too large: 10.0 MB (10,000,001 bytes); the limit is 10 MB (10,000,000 bytes).", unnamed.Message);
        Assert.Equal("The upload is too large; the limit is 10 MB (10,000,000 bytes).", PhotoPolicy.TooLargeMessage("The upload", null));
    }

    [Fact]
    public void Check_EmptyOrNotPngJpeg_RefusedAsUnusableInWords_PngAndJpegPassed()
    {
        var empty = Assert.Throws<GalleryException>(() => PhotoPolicy.Check([], "empty.png"));
        var text = Assert.Throws<GalleryException>(() => PhotoPolicy.Check("not a photo"u8.ToArray(), "notes.jpg"));
        var gif = Assert.Throws<GalleryException>(() => PhotoPolicy.Check("GIF89a......"u8.ToArray(), "cat.gif"));

        Assert.Equal("“empty.png” is empty: choose a PNG or JPEG photo.", empty.Message);
        Assert.Equal("“notes.jpg” is not an image. Upload a PNG or JPEG photo.", text.Message);
        Assert.Equal("“cat.gif” is a GIF image; only PNG and JPEG are accepted.", gif.Message);
        Assert.All([empty, text, gif], e => Assert.Equal(GalleryErrorKind.UnusablePhoto, e.Kind));
        Assert.Same(JpegStart, PhotoPolicy.Check(JpegStart));
    }
}
