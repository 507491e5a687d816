namespace Mote.Gallery.Tests.Builders;

/// <summary>Byte search over everything the product wrote under some folders (the erasure tests' "no trace on disk").</summary>
internal static class DiskSearch
{
    /// <summary>
    /// Every file under <paramref name="roots"/> that holds <paramref name="needle"/>, read while the Gallery may still
    /// have them open. A file removed between listing and opening (SQLite's <c>-wal</c> as the last connection closes)
    /// holds nothing any more and is skipped.
    /// </summary>
    public static List<string> FilesContaining(IEnumerable<string> roots, byte[] needle)
    {
        var found = new List<string>();
        foreach (var file in roots.SelectMany(r => Directory.EnumerateFiles(r, "*", SearchOption.AllDirectories)))
        {
            using var copy = new MemoryStream();
            try
            {
                using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                stream.CopyTo(copy);
            }
            catch (FileNotFoundException)
            {
                continue;
            }
            if (copy.GetBuffer().AsSpan(0, (int)copy.Length).IndexOf(needle) >= 0)
            {
                found.Add(file);
            }
        }
        return found;
    }
}
