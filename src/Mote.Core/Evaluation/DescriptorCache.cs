using System.Security.Cryptography;
using System.Text;

namespace Mote.Core.Evaluation;

/// <summary>
/// Descriptors of photos kept on disk, keyed by the SHA-256 of the photo's bytes, one file per backbone (id and model
/// hash in the name), so reruns of an evaluation skip the face pipeline. A photo where no face was found is cached as
/// such. File: magic <c>MOTEDSC1</c>, int32 dimension, then records (32-byte hash, 1 byte found, dimension float32s),
/// appended. A truncated tail (an interrupted run) is ignored. Not for concurrent writers; one instance per file.
/// </summary>
public sealed class DescriptorCache : IDisposable
{
    private static readonly byte[] Magic = Encoding.ASCII.GetBytes("MOTEDSC1");
    private readonly Dictionary<string, float[]?> entries = new(StringComparer.Ordinal);
    private readonly FileStream stream;
    private readonly Lock gate = new();

    private DescriptorCache(string path, int dimension, FileStream stream)
    {
        Path = path;
        Dimension = dimension;
        this.stream = stream;
    }

    /// <summary>The cache file.</summary>
    public string Path { get; }

    /// <summary>Descriptor length.</summary>
    public int Dimension { get; }

    /// <summary>Entries loaded or added.</summary>
    public int Count => entries.Count;

    /// <summary>Opens (or creates) the cache file for a backbone under <paramref name="directory"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not a descriptor cache or holds another dimension.</exception>
    public static DescriptorCache Open(string directory, string backboneId, string backboneSha256, int dimension)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        ArgumentException.ThrowIfNullOrWhiteSpace(backboneId);
        ArgumentException.ThrowIfNullOrWhiteSpace(backboneSha256);
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 1);
        Directory.CreateDirectory(directory);
        var path = System.IO.Path.Combine(directory, $"{backboneId}-{backboneSha256[..Math.Min(16, backboneSha256.Length)]}.descriptors");
        var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        var cache = new DescriptorCache(path, dimension, stream);
        try
        {
            cache.Load();
        }
        catch
        {
            stream.Dispose();
            throw;
        }

        return cache;
    }

    /// <summary>The SHA-256 of a photo's bytes, lower-case hex.</summary>
    public static string HashOf(ReadOnlySpan<byte> photo) => Convert.ToHexStringLower(SHA256.HashData(photo));

    /// <summary>The cached descriptor of <paramref name="photo"/> (null: no face), else <paramref name="describe"/>'s, added to the cache.</summary>
    public float[]? GetOrAdd(byte[] photo, Func<byte[], float[]?> describe)
    {
        ArgumentNullException.ThrowIfNull(describe);
        var hash = HashOf(photo);
        if (!TryGet(hash, out var descriptor))
        {
            descriptor = describe(photo);
            Add(hash, descriptor);
        }

        return descriptor;
    }

    /// <summary>True when the photo is cached; <paramref name="descriptor"/> is null when no face was found in it.</summary>
    public bool TryGet(string hash, out float[]? descriptor)
    {
        lock (gate)
        {
            return entries.TryGetValue(hash, out descriptor);
        }
    }

    /// <summary>Adds (and appends to the file) a photo's descriptor, or null for "no face". An existing entry is kept.</summary>
    /// <exception cref="ArgumentException">The descriptor's length is not <see cref="Dimension"/>.</exception>
    public void Add(string hash, float[]? descriptor)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(hash);
        if (descriptor is not null && descriptor.Length != Dimension)
        {
            throw new ArgumentException($"The descriptor has {descriptor.Length} values; the cache holds {Dimension}.", nameof(descriptor));
        }

        var record = new byte[32 + 1 + 4 * Dimension];
        Convert.FromHexString(hash).CopyTo(record, 0);
        record[32] = descriptor is null ? (byte)0 : (byte)1;
        if (descriptor is not null)
        {
            Buffer.BlockCopy(descriptor, 0, record, 33, 4 * Dimension);
        }

        lock (gate)
        {
            if (!entries.TryAdd(hash, descriptor?.ToArray()))
            {
                return;
            }

            stream.Seek(0, SeekOrigin.End);
            stream.Write(record);
        }
    }

    /// <summary>Writes buffered records to disk.</summary>
    public void Flush()
    {
        lock (gate)
        {
            stream.Flush(flushToDisk: false);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (gate)
        {
            stream.Dispose();
        }
    }

    private void Load()
    {
        var header = new byte[Magic.Length + 4];
        if (stream.Length == 0)
        {
            Magic.CopyTo(header, 0);
            BitConverter.TryWriteBytes(header.AsSpan(Magic.Length), Dimension);
            stream.Write(header);
            stream.Flush();
            return;
        }

        stream.ReadExactly(header);
        if (!header.AsSpan(0, Magic.Length).SequenceEqual(Magic) || BitConverter.ToInt32(header, Magic.Length) != Dimension)
        {
            throw new InvalidDataException($"'{Path}' is not a descriptor cache of dimension {Dimension}; delete it to rebuild.");
        }

        var record = new byte[32 + 1 + 4 * Dimension];
        var valid = stream.Position;
        while (stream.Position + record.Length <= stream.Length)
        {
            stream.ReadExactly(record);
            var hash = Convert.ToHexStringLower(record.AsSpan(0, 32));
            float[]? descriptor = null;
            if (record[32] == 1)
            {
                descriptor = new float[Dimension];
                Buffer.BlockCopy(record, 33, descriptor, 0, 4 * Dimension);
            }

            entries.TryAdd(hash, descriptor);
            valid = stream.Position;
        }

        // Drop a partial record left by an interrupted run, so appends stay aligned.
        stream.SetLength(valid);
    }
}
