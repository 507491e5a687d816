using Mote.Core.Faces.Quality;
using Mote.Core.Imaging;
using Mote.Core.Models;
using Mote.Core.Tests.Models;
using Mote.Gallery.Engine;
using Mote.Gallery.Tests.Builders;
using Microsoft.Extensions.DependencyInjection;

namespace Mote.Gallery.Tests.People;

/// <summary>
/// A real gallery with the real engine: migrated SQLite file, the provisioned model pack (npm, converted;
/// <c>$MOTE_MODEL_CACHE</c> or a shared temp cache, reused across runs), and the default population pack
/// that ships in the repository. Offers real face photos: the face-api demo pictures.
/// </summary>
public sealed class EngineGallery : IAsyncLifetime
{
    public GalleryTestDatabase Db { get; private set; } = null!;

    public IFaceAnalyzer Analyzer { get; private set; } = null!;

    public string PhotosDir { get; private set; } = "";

    public async Task InitializeAsync()
    {
        var cache = TestModelCache.Folder;
        Db = await GalleryTestDatabase.CreateAsync(s =>
        {
            s.AddSingleton(new ModelPackOptions { CacheDir = cache });
        });
        Analyzer = await Db.Services.GetRequiredService<GalleryEngine>().GetAnalyzerAsync();
        PhotosDir = Path.Combine(await PinnedPackageCache.GetAsync(PinnedPackages.FaceApi), "demo");
    }

    public byte[] Photo(string name) => File.ReadAllBytes(Path.Combine(PhotosDir, name));

    /// <summary>The first face (largest first) of a demo photo that passes the enrollment quality check.</summary>
    public int EnrollableFace(string photo)
    {
        var faces = Analyzer.Analyze(Photo(photo), QualityPurpose.Enrollment).Faces;
        for (var i = 0; i < faces.Count; i++)
        {
            if (faces[i].Quality.IsAccepted)
            {
                return i;
            }
        }
        throw new InvalidOperationException($"No face in {photo} passes the enrollment quality check.");
    }

    /// <summary>A new JPEG showing only face <paramref name="index"/> (largest first) of a photo, with a margin: a different image of the same face.</summary>
    public byte[] FaceCrop(string photo, int index, double margin = 0.6)
    {
        var bytes = Photo(photo);
        var face = Analyzer.Analyze(bytes, QualityPurpose.Detection).Faces[index].Box;
        using var decoder = new ImageDecoder();
        var image = decoder.Decode(bytes);
        var left = (int)Math.Max(0, face.X - (face.Width * margin));
        var top = (int)Math.Max(0, face.Y - (face.Height * margin));
        var right = (int)Math.Min(image.Width, face.Right + (face.Width * margin));
        var bottom = (int)Math.Min(image.Height, face.Bottom + (face.Height * margin));
        return ImageEncoding.ToJpeg(ImageRegion.Copy(image, left, top, right - left, bottom - top), 92);
    }

    public Task DisposeAsync() => Db.DisposeAsync().AsTask();
}
