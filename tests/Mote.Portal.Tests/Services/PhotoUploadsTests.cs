using Microsoft.AspNetCore.Components.Forms;
using Mote.Gallery;
using Mote.Gallery.Engine;
using Mote.Gallery.People;
using Mote.Portal.Services;

namespace Mote.Portal.Tests.Services;

/// <summary>The portal's one reader of browser uploads (issue 18, item 1: it replaced ProbeUpload), under the Gallery's photo policy.</summary>
public sealed class PhotoUploadsTests
{
    [Fact]
    public async Task ReadAsync_ReportedSizeOverThePolicy_RefusedInThePolicysWordsWithoutReading()
    {
        var file = new FakeFile("huge.jpg", Jpeg(16), reportedSize: PhotoPolicy.MaxBytes + 1);

        var e = await Assert.ThrowsAsync<GalleryException>(() => PhotoUploads.ReadAsync(file));

        Assert.Equal(GalleryErrorKind.PhotoTooLarge, e.Kind);
        Assert.Equal(PhotoPolicy.TooLargeMessage("“huge.jpg”", PhotoPolicy.MaxBytes + 1), e.Message);
        Assert.Equal(0, file.Opened);
    }

    [Fact]
    public async Task ReadAsync_MoreArrivesThanReported_RefusedWhileReading()
    {
        var file = new FakeFile("liar.jpg", Jpeg((int)PhotoPolicy.MaxBytes + 10), reportedSize: 1000);

        var e = await Assert.ThrowsAsync<GalleryException>(() => PhotoUploads.ReadAsync(file));

        Assert.Equal(GalleryErrorKind.PhotoTooLarge, e.Kind);
        Assert.Equal("“liar.jpg” is too large; the limit is 10 MB (10,000,000 bytes).", e.Message);
        Assert.Equal(PhotoPolicy.MaxBytes, file.AskedLimit);
    }

    [Fact]
    public async Task ReadAsync_JpegWithinTheLimit_ItsBytes_AGifRefusedByItsFirstBytes()
    {
        var jpeg = Jpeg(2048);

        Assert.Equal(jpeg, await PhotoUploads.ReadAsync(new FakeFile("ok.jpg", jpeg)));
        var gif = await Assert.ThrowsAsync<GalleryException>(() => PhotoUploads.ReadAsync(new FakeFile("cat.jpg", "GIF89a\u0001\0\u0001\0\0\0"u8.ToArray())));
        Assert.Equal("“cat.jpg” is a GIF image; only PNG and JPEG are accepted.", gif.Message);
    }

    [Theory]
    [InlineData("ok.png", 5_000, null)]
    [InlineData("notes.txt", 100, "“notes.txt” is not an image we accept: choose a PNG or JPEG photo.")]
    [InlineData("empty.png", 0, "“empty.png” is empty: choose a PNG or JPEG photo.")]
    [InlineData("huge.png", 12_000_000, "“huge.png” is too large: 12.0 MB (12,000,000 bytes); the limit is 10 MB (10,000,000 bytes).")]
    public void Problem_JudgedOnWhatTheBrowserReported(string name, long size, string? expected)
    {
        Assert.Equal(expected, PhotoUploads.Problem(new FakeFile(name, [], reportedSize: size)));
    }

    private static byte[] Jpeg(int length)
    {
        var bytes = new byte[length];
        bytes[0] = 0xFF;
        bytes[1] = 0xD8;
        bytes[2] = 0xFF;
        return bytes;
    }

    /// <summary>A browser file whose reported size may differ from what it delivers (its stream does not hold to the asked limit).</summary>
    private sealed class FakeFile(string name, byte[] bytes, long? reportedSize = null) : IBrowserFile
    {
        public int Opened { get; private set; }

        public long AskedLimit { get; private set; }

        public string Name => name;

        public DateTimeOffset LastModified => DateTimeOffset.UnixEpoch;

        public long Size => reportedSize ?? bytes.Length;

        public string ContentType => "";

        public Stream OpenReadStream(long maxAllowedSize = 512000, CancellationToken cancellationToken = default)
        {
            Opened++;
            AskedLimit = maxAllowedSize;
            return new MemoryStream(bytes);
        }
    }
}
