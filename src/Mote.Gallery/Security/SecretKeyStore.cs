using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Mote.Gallery.Hosting;

namespace Mote.Gallery.Security;

/// <summary>
/// Named 256-bit keys in the secrets directory (never the repository or the database), one file each,
/// created on first use with owner-only permissions. Creation is race-safe across processes: the first
/// writer wins and everyone reads the same key.
/// </summary>
public sealed class SecretKeyStore(IOptions<SecretsOptions> options)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, byte[]> _cache = new(StringComparer.Ordinal);

    /// <summary>The directory the keys live in.</summary>
    public string Directory => options.Value.ResolveDirectory();

    /// <summary>Drops the keys read so far, so the next use reads the files again (after <c>mote restore</c> replaced them).</summary>
    internal void Forget()
    {
        lock (_gate)
        {
            _cache.Clear();
        }
    }

    /// <summary>Drops one key read so far (after <c>mote keys rotate</c> retired its file).</summary>
    internal void Forget(string name)
    {
        lock (_gate)
        {
            _cache.Remove(name);
        }
    }

    /// <summary>
    /// Returns the key called <paramref name="name"/> when its file exists, else null; never creates one (a key that
    /// protects stored data must not be silently replaced by a new random one).
    /// </summary>
    public byte[]? TryGet(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        lock (_gate)
        {
            if (_cache.TryGetValue(name, out var cached))
            {
                return cached;
            }
            var path = Path.Combine(Directory, $"{name}.key");
            if (!File.Exists(path))
            {
                return null;
            }
            var key = File.ReadAllBytes(path);
            if (key.Length != 32)
            {
                throw new GalleryException($"The key file {path} is damaged (it holds {key.Length} bytes, not 32). Restore it from backup; without it the data it protects cannot be read.");
            }
            _cache[name] = key;
            return key;
        }
    }

    /// <summary>Returns the key called <paramref name="name"/>, creating it (32 random bytes) if absent.</summary>
    public byte[] GetOrCreate(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        lock (_gate)
        {
            if (_cache.TryGetValue(name, out var cached))
            {
                return cached;
            }
            var dir = System.IO.Directory.CreateDirectory(Directory).FullName;
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
            var path = Path.Combine(dir, $"{name}.key");
            if (!File.Exists(path))
            {
                var temp = Path.Combine(dir, $".{name}.{Guid.NewGuid():N}.tmp");
                var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
                if (!OperatingSystem.IsWindows())
                {
                    options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
                }
                using (var stream = new FileStream(temp, options))
                {
                    stream.Write(RandomNumberGenerator.GetBytes(32));
                    stream.Flush(flushToDisk: true);
                }
                try
                {
                    File.Move(temp, path, overwrite: false);
                }
                catch (IOException) when (File.Exists(path))
                {
                    File.Delete(temp); // another process created it first
                }
            }
            var key = File.ReadAllBytes(path);
            if (key.Length != 32)
            {
                throw new GalleryException($"The key file {path} is damaged (it holds {key.Length} bytes, not 32). Restore it from backup; without it the data it protects cannot be read.");
            }
            _cache[name] = key;
            return key;
        }
    }
}
