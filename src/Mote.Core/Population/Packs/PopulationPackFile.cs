using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Mote.Core.Population.Densities;

namespace Mote.Core.Population.Packs;

/// <summary>
/// The population pack file, format version 1 (all integers little-endian):
/// <code>
/// 8 bytes   magic "MOTEPOP\0"
/// int32     format version (1)
/// int32     manifest length L, then L bytes UTF-8 JSON: backboneId, backboneManifestHash, dimension, densityKind,
///           negativeGroups[], variationGroups[] (group ids, in the order of the densities below), provenance,
///           calibration and modelCalibration (optional <see cref="RealImpostorCalibration"/>s, thresholds only; absent in older packs)
/// int32     density count (= negativeGroups + variationGroups), then each density as <see cref="DensitySerializer"/> writes it
/// 32 bytes  SHA-256 of every byte before it
/// </code>
/// Reading checks magic, size limit, checksum (before parsing anything else), version, then that the manifest and the
/// densities agree; any failure is a <see cref="PopulationPackFormatException"/>.
/// </summary>
public static class PopulationPackFile
{
    /// <summary>Current format version.</summary>
    public const int FormatVersion = 1;

    /// <summary>Largest pack accepted (1 GiB): a KDE pack of 20,000 128-d descriptors is about 10 MB.</summary>
    public const long MaxBytes = 1L << 30;

    private static readonly byte[] Magic = "MOTEPOP\0"u8.ToArray();

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = false };

    /// <summary>Serialises <paramref name="pack"/> to bytes.</summary>
    public static byte[] ToBytes(PopulationPack pack)
    {
        ArgumentNullException.ThrowIfNull(pack);
        using var body = new MemoryStream();
        using (var w = new BinaryWriter(body, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(Magic);
            w.Write(FormatVersion);
            var manifest = new Manifest(
                pack.BackboneId,
                pack.BackboneManifestHash,
                pack.Dimension,
                pack.DensityKind.ToString(),
                pack.Negatives.Keys.Select(g => g.Id).ToArray(),
                pack.Variation.Keys.Select(g => g.Id).ToArray(),
                pack.Provenance,
                pack.Calibration,
                pack.ModelCalibration);
            var json = JsonSerializer.SerializeToUtf8Bytes(manifest, Json);
            w.Write(json.Length);
            w.Write(json);
            w.Write(pack.Negatives.Count + pack.Variation.Count);
            foreach (var density in pack.Negatives.Values.Concat(pack.Variation.Values))
            {
                DensitySerializer.Write(density, w);
            }
        }
        var hash = SHA256.HashData(body.GetBuffer().AsSpan(0, (int)body.Length));
        body.Write(hash);
        return body.ToArray();
    }

    /// <summary>Writes the pack to <paramref name="path"/> (via a temporary file and a rename, so a crash never leaves half a pack).</summary>
    public static void Save(PopulationPack pack, string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var bytes = ToBytes(pack);
        var temp = path + ".tmp-" + Guid.NewGuid().ToString("N");
        File.WriteAllBytes(temp, bytes);
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Reads and verifies a pack file.</summary>
    public static PopulationPack Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            throw new FileNotFoundException($"Population pack '{path}' does not exist.", path);
        }
        if (info.Length > MaxBytes)
        {
            throw new PopulationPackFormatException(path, $"it is {info.Length} bytes, over the {MaxBytes}-byte limit");
        }
        return FromBytes(File.ReadAllBytes(path), path);
    }

    /// <summary>Parses and verifies pack bytes; <paramref name="sourceName"/> names the source in errors.</summary>
    public static PopulationPack FromBytes(ReadOnlySpan<byte> bytes, string sourceName = "population pack")
    {
        if (bytes.Length > MaxBytes)
        {
            throw new PopulationPackFormatException(sourceName, $"it is {bytes.Length} bytes, over the {MaxBytes}-byte limit");
        }
        if (bytes.Length < Magic.Length + 12 + SHA256.HashSizeInBytes || !bytes[..Magic.Length].SequenceEqual(Magic))
        {
            throw new PopulationPackFormatException(sourceName, "it does not start with the population pack magic 'MOTEPOP'");
        }
        var content = bytes[..^SHA256.HashSizeInBytes];
        var stored = bytes[^SHA256.HashSizeInBytes..];
        if (!SHA256.HashData(content).AsSpan().SequenceEqual(stored))
        {
            throw new PopulationPackFormatException(sourceName, "its SHA-256 checksum does not match (the file is damaged or was altered)");
        }
        try
        {
            using var stream = new MemoryStream(content.ToArray(), writable: false);
            using var r = new BinaryReader(stream, Encoding.UTF8);
            r.ReadBytes(Magic.Length);
            var version = r.ReadInt32();
            if (version != FormatVersion)
            {
                throw new PopulationPackFormatException(sourceName, $"format version {version} is not supported (this build reads version {FormatVersion})");
            }
            var length = r.ReadInt32();
            if (length <= 0 || length > stream.Length - stream.Position)
            {
                throw new PopulationPackFormatException(sourceName, $"manifest length {length} is impossible");
            }
            var manifest = JsonSerializer.Deserialize<Manifest>(r.ReadBytes(length), Json)
                ?? throw new PopulationPackFormatException(sourceName, "the manifest is empty");
            if (!Enum.TryParse<DensityKind>(manifest.DensityKind, out var kind) || !Enum.IsDefined(kind))
            {
                throw new PopulationPackFormatException(sourceName, $"density kind '{manifest.DensityKind}' is unknown");
            }
            var count = r.ReadInt32();
            if (count != manifest.NegativeGroups.Length + manifest.VariationGroups.Length)
            {
                throw new PopulationPackFormatException(sourceName, $"it holds {count} densities but its manifest names {manifest.NegativeGroups.Length + manifest.VariationGroups.Length} groups");
            }
            var negatives = ReadGroup(r, manifest.NegativeGroups);
            var variation = ReadGroup(r, manifest.VariationGroups);
            if (stream.Position != stream.Length)
            {
                throw new PopulationPackFormatException(sourceName, $"{stream.Length - stream.Position} unexpected bytes follow the densities");
            }
            var pack = new PopulationPack(manifest.BackboneId, manifest.BackboneManifestHash, kind, negatives, variation, manifest.Provenance, manifest.Calibration, manifest.ModelCalibration);
            if (pack.Dimension != manifest.Dimension)
            {
                throw new PopulationPackFormatException(sourceName, $"densities have dimension {pack.Dimension}, the manifest says {manifest.Dimension}");
            }
            return pack;
        }
        catch (Exception e) when (e is EndOfStreamException or InvalidDataException or JsonException or ArgumentException)
        {
            throw new PopulationPackFormatException(sourceName, e.Message, e);
        }
    }

    private static Dictionary<DemographicGroup, IDensity> ReadGroup(BinaryReader r, string[] ids)
    {
        var map = new Dictionary<DemographicGroup, IDensity>();
        foreach (var id in ids)
        {
            map.Add(DemographicGroup.Parse(id), DensitySerializer.Read(r));
        }
        return map;
    }

    private sealed record Manifest(
        string BackboneId,
        string BackboneManifestHash,
        int Dimension,
        string DensityKind,
        string[] NegativeGroups,
        string[] VariationGroups,
        PopulationProvenance Provenance,
        RealImpostorCalibration? Calibration = null,
        RealImpostorCalibration? ModelCalibration = null);
}
