using Mote.Gallery;
using Mote.Gallery.Engine;
using Mote.Gallery.People;

namespace Mote.Cli.Commands;

/// <summary>The CLI's one reader of a photo named on the command line, under <see cref="PhotoPolicy"/> (the same limit and words as the portal and the API).</summary>
internal static class PhotoFiles
{
    /// <summary>
    /// The file's bytes, or a <see cref="GalleryException"/> saying why not: it does not exist, or <see cref="PhotoPolicy.Check"/>
    /// refuses it. The size is checked before the file is read, so an over-large file is never loaded.
    /// </summary>
    public static async Task<byte[]> ReadAsync(string path, CancellationToken ct)
    {
        CheckFile(path);
        return PhotoPolicy.Check(await File.ReadAllBytesAsync(path, ct).ConfigureAwait(false), path);
    }

    /// <summary>Like <see cref="ReadAsync"/>, for the synchronous diagnostics of <c>mote faces</c>.</summary>
    public static byte[] Read(string path)
    {
        CheckFile(path);
        return PhotoPolicy.Check(File.ReadAllBytes(path), path);
    }

    private static void CheckFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            throw new GalleryException($"There is no file {path}.", GalleryErrorKind.NotFound);
        }
        PhotoPolicy.CheckSize(info.Length, path);
    }
}
