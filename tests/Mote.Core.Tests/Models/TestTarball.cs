using System.Formats.Tar;
using System.IO.Compression;

namespace Mote.Core.Tests.Models;

/// <summary>Builds small gzip-compressed tarballs with chosen (possibly hostile) entries.</summary>
internal sealed class TestTarball
{
    private readonly List<TarEntry> _entries = [];

    public TestTarball File(string name, string content)
    {
        var entry = new PaxTarEntry(TarEntryType.RegularFile, name)
        {
            DataStream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(content)),
        };
        _entries.Add(entry);
        return this;
    }

    public TestTarball Directory(string name)
    {
        _entries.Add(new PaxTarEntry(TarEntryType.Directory, name));
        return this;
    }

    public TestTarball SymbolicLink(string name, string target)
    {
        _entries.Add(new PaxTarEntry(TarEntryType.SymbolicLink, name) { LinkName = target });
        return this;
    }

    public TestTarball HardLink(string name, string target)
    {
        _entries.Add(new PaxTarEntry(TarEntryType.HardLink, name) { LinkName = target });
        return this;
    }

    public TestTarball CharacterDevice(string name)
    {
        _entries.Add(new PaxTarEntry(TarEntryType.CharacterDevice, name));
        return this;
    }

    /// <summary>Writes the tarball to <paramref name="path"/> and returns the path.</summary>
    public string WriteTo(string path)
    {
        using (var file = System.IO.File.Create(path))
        using (var gzip = new GZipStream(file, CompressionLevel.Fastest))
        using (var writer = new TarWriter(gzip, TarEntryFormat.Pax))
        {
            foreach (var entry in _entries)
            {
                writer.WriteEntry(entry);
            }
        }
        return path;
    }
}
