using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Mote.Gallery.Security;

namespace Mote.Gallery.Audit;

/// <summary>The hash function of the audit chain: one definition, used to append and to verify.</summary>
public static class AuditChain
{
    /// <summary>Name of the HMAC key in the secrets directory.</summary>
    public const string KeyName = "audit";

    /// <summary>Length in bytes of every chain hash and of the genesis value (HMAC-SHA256): 32.</summary>
    public const int HashSize = 32;

    /// <summary>The "previous hash" of row 1: bound to this database's instance id.</summary>
    public static byte[] Genesis(byte[] key, string instanceId) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"genesis|{instanceId}"));

    /// <summary>
    /// HMAC-SHA256 over the previous hash and a length-prefixed encoding of every chained field, so no
    /// two different rows encode alike (a field boundary cannot be shifted).
    /// </summary>
    public static byte[] ComputeHash(byte[] key, ReadOnlySpan<byte> previous, long sequence, long utcTicks, int code, int actorKind,
        string actorId, string actorName, string? subjectId, ReadOnlySpan<byte> payloadDigest, bool hasPayload)
    {
        using var buffer = new MemoryStream(256);
        buffer.Write(previous);
        Span<byte> number = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(number, sequence);
        buffer.Write(number);
        BinaryPrimitives.WriteInt64LittleEndian(number, utcTicks);
        buffer.Write(number);
        BinaryPrimitives.WriteInt32LittleEndian(number, code);
        buffer.Write(number[..4]);
        BinaryPrimitives.WriteInt32LittleEndian(number, actorKind);
        buffer.Write(number[..4]);
        WriteString(buffer, actorId);
        WriteString(buffer, actorName);
        WriteString(buffer, subjectId);
        buffer.WriteByte(hasPayload ? (byte)1 : (byte)0);
        buffer.Write(payloadDigest);
        return HMACSHA256.HashData(key, buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
    }

    /// <summary>The hash of the stored <paramref name="row"/> chained after <paramref name="previous"/>, from the row's own fields: what the verifier recomputes.</summary>
    public static byte[] ComputeHash(byte[] key, ReadOnlySpan<byte> previous, AuditEvent row)
    {
        ArgumentNullException.ThrowIfNull(row);
        return ComputeHash(key, previous, row.Id, row.OccurredUtc.UtcTicks, row.Code, row.ActorKind, row.ActorId, row.ActorName,
            row.SubjectId, row.PayloadDigest ?? [], row.PayloadDigest is not null);
    }

    /// <summary>SHA-256 of an event's detail text (UTF-8). The chain binds this digest rather than the detail itself, which is kept apart from the chain.</summary>
    public static byte[] PayloadDigestOf(string detail) => SHA256.HashData(Encoding.UTF8.GetBytes(detail));

    private static void WriteString(MemoryStream buffer, string? value)
    {
        Span<byte> length = stackalloc byte[4];
        if (value is null)
        {
            BinaryPrimitives.WriteInt32LittleEndian(length, -1);
            buffer.Write(length);
            return;
        }
        var bytes = Encoding.UTF8.GetBytes(value);
        BinaryPrimitives.WriteInt32LittleEndian(length, bytes.Length);
        buffer.Write(length);
        buffer.Write(bytes);
    }
}

/// <summary>
/// The last sequence number and hash known to be good, kept as an HMAC-sealed file in the secrets
/// directory (outside the database). It is what reveals a truncated trail: rows deleted from the end
/// leave a chain that verifies on its own, but shorter than the anchor.
/// </summary>
public sealed class AuditAnchor(SecretKeyStore keys)
{
    // One lock for every instance's anchor object in this process.
    private static readonly Lock Gate = new();
    private string _instanceId = "";

    /// <summary>Selects the database whose anchor is read and written (one file per Gallery instance).</summary>
    public AuditAnchor For(string instanceId)
    {
        var anchor = new AuditAnchor(keys) { _instanceId = instanceId };
        return anchor;
    }

    private string FilePath => Path.Combine(keys.Directory, $"audit-{_instanceId}.anchor");

    /// <summary>
    /// The anchored sequence number and hash, with the time recorded beside them (the anchored event's, or the last verification's);
    /// null when this instance has no anchor file yet.
    /// Throws <see cref="GalleryException"/> when the file is damaged or its seal does not match (it has been edited).
    /// </summary>
    public (long Sequence, byte[] Hash, DateTimeOffset RecordedUtc)? Read()
    {
        lock (Gate)
        {
            return ReadUnlocked();
        }
    }

    private (long Sequence, byte[] Hash, DateTimeOffset RecordedUtc)? ReadUnlocked()
    {
        {
            if (!File.Exists(FilePath))
            {
                return null;
            }
            // An anchor written 0644 by an earlier version is narrowed the first time it is read.
            Data.OwnerOnlyFiles.Narrow(FilePath);
            var parts = File.ReadAllText(FilePath).Trim().Split(' ');
            if (parts.Length != 4 || !long.TryParse(parts[0], System.Globalization.CultureInfo.InvariantCulture, out var sequence)
                || !long.TryParse(parts[2], System.Globalization.CultureInfo.InvariantCulture, out var ticks))
            {
                throw new GalleryException($"The audit anchor {FilePath} is damaged; the trail cannot be checked for truncation until it is restored or removed.");
            }
            var hash = Convert.FromHexString(parts[1]);
            if (!CryptographicOperations.FixedTimeEquals(Convert.FromHexString(parts[3]), Seal(sequence, hash, ticks)))
            {
                throw new GalleryException($"The audit anchor {FilePath} has been altered: its seal does not match.");
            }
            return (sequence, hash, new DateTimeOffset(ticks, TimeSpan.Zero));
        }
    }

    /// <summary>
    /// Moves the anchor forward to (<paramref name="sequence"/>, <paramref name="hash"/>); never backwards
    /// within a process. Two processes racing may leave the lower of their two values, which only narrows
    /// what truncation is detected, never raises a false alarm.
    /// </summary>
    public void Advance(long sequence, byte[] hash, DateTimeOffset now)
    {
        lock (Gate)
        {
            var current = ReadUnlocked();
            if (current is { } c && c.Sequence >= sequence)
            {
                return;
            }
            WriteUnlocked(sequence, hash, now);
        }
    }

    /// <summary>
    /// Sets the anchor to (<paramref name="sequence"/>, <paramref name="hash"/>) even when that is behind it: only for
    /// <c>mote restore</c>, which replaces the database with an older, verified copy of the trail (and records that it did).
    /// </summary>
    internal void Reset(long sequence, byte[] hash, DateTimeOffset now)
    {
        lock (Gate)
        {
            WriteUnlocked(sequence, hash, now);
        }
    }

    private void WriteUnlocked(long sequence, byte[] hash, DateTimeOffset now)
    {
        {
            var text = string.Join(' ', sequence.ToString(System.Globalization.CultureInfo.InvariantCulture), Convert.ToHexString(hash),
                now.UtcTicks.ToString(System.Globalization.CultureInfo.InvariantCulture), Convert.ToHexString(Seal(sequence, hash, now.UtcTicks)));
            Directory.CreateDirectory(keys.Directory);
            var temp = FilePath + $".{Guid.NewGuid():N}.tmp";
            // Owner-only (0600) from creation: the anchor is what vouches for the trail's length (issue 14 item 15).
            using (var stream = new FileStream(temp, Data.OwnerOnlyFiles.CreateNew()))
            {
                stream.Write(Encoding.UTF8.GetBytes(text));
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, FilePath, overwrite: true);
        }
    }

    private byte[] Seal(long sequence, byte[] hash, long ticks) =>
        HMACSHA256.HashData(keys.GetOrCreate(AuditChain.KeyName), Encoding.UTF8.GetBytes($"anchor|{_instanceId}|{sequence}|{Convert.ToHexString(hash)}|{ticks}"));
}
