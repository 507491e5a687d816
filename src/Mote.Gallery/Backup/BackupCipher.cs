using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Mote.Gallery.Backup;

/// <summary>
/// The encryption of a backup archive (docs/decisions/0015): a 64-byte header, then the plaintext in 1 MiB chunks, each
/// sealed with AES-256-GCM. The key comes from the passphrase through PBKDF2-HMAC-SHA256 with a random 16-byte salt
/// (600,000 iterations by default, the OWASP 2023 figure; stored in the header so it can rise later). Each chunk's nonce
/// is its 64-bit index plus a last-chunk flag, and every chunk authenticates the header, so chunks cannot be reordered,
/// dropped, truncated off the end or moved between archives, and an edited header fails too. A second key derived from
/// the same passphrase seals the header alone: a wrong passphrase is told apart from a damaged archive before any chunk.
/// </summary>
public static class BackupCipher
{
    /// <summary>"MOTEBAK" and format version 1.</summary>
    private static readonly byte[] Magic = "MOTEBAK\u0001"u8.ToArray();

    /// <summary>600,000 PBKDF2-HMAC-SHA256 iterations (OWASP Password Storage Cheat Sheet, 2023): 0.43 s for OpenSSL's PBKDF2 (which .NET uses on Linux) on the 2-core development machine under load.</summary>
    public const int DefaultIterations = 600_000;

    /// <summary>A header asking for fewer iterations than this is refused: it would make guessing cheap.</summary>
    public const int MinimumIterations = 100_000;

    /// <summary>Plaintext bytes per encrypted chunk: 1 MiB. Written in the header; an archive naming another size is refused as altered.</summary>
    public const int ChunkSize = 1 << 20;

    private const int SaltSize = 16;
    private const int CheckSize = 32;
    private const int TagSize = 16;
    private const int HeaderSize = 8 + 4 + SaltSize + CheckSize + 4; // magic, iterations, salt, check, chunk size

    /// <summary>
    /// Encrypts <paramref name="plaintext"/> (read to its end) into <paramref name="output"/> under
    /// <paramref name="passphrase"/>. Writes only to <paramref name="output"/>.
    /// </summary>
    public static async Task EncryptAsync(Stream plaintext, Stream output, string passphrase, int iterations = DefaultIterations, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(plaintext);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentException.ThrowIfNullOrEmpty(passphrase);
        var salt = RandomNumberGenerator.GetBytes(SaltSize);
        var (key, check) = Derive(passphrase, salt, iterations);
        var header = new byte[HeaderSize];
        Magic.CopyTo(header, 0);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(8), iterations);
        salt.CopyTo(header, 12);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(HeaderSize - 4), ChunkSize);
        HeaderCheck(check, header).CopyTo(header, 12 + SaltSize);
        await output.WriteAsync(header, ct).ConfigureAwait(false);

        using var aes = new AesGcm(key, TagSize);
        var current = new byte[ChunkSize];
        var next = new byte[ChunkSize];
        var sealedChunk = new byte[ChunkSize + TagSize];
        var currentLength = await FillAsync(plaintext, current, ct).ConfigureAwait(false);
        for (long index = 0; ; index++)
        {
            // Read ahead one chunk to know whether this one is the last (an empty plaintext is one empty last chunk).
            var nextLength = currentLength == ChunkSize ? await FillAsync(plaintext, next, ct).ConfigureAwait(false) : 0;
            var last = nextLength == 0;
            var nonce = Nonce(index, last);
            aes.Encrypt(nonce, current.AsSpan(0, currentLength), sealedChunk.AsSpan(0, currentLength), sealedChunk.AsSpan(currentLength, TagSize), header);
            await output.WriteAsync(sealedChunk.AsMemory(0, currentLength + TagSize), ct).ConfigureAwait(false);
            if (last)
            {
                break;
            }
            (current, next) = (next, current);
            currentLength = nextLength;
        }
        CryptographicOperations.ZeroMemory(key);
        CryptographicOperations.ZeroMemory(current);
        CryptographicOperations.ZeroMemory(next);
    }

    /// <summary>
    /// Decrypts <paramref name="input"/> into <paramref name="plaintext"/>, chunk by chunk, each authenticated before it
    /// is written. Throws <see cref="BackupPassphraseException"/> for a wrong passphrase (nothing written) and
    /// <see cref="BackupArchiveException"/> for anything not written by <see cref="EncryptAsync"/> under this passphrase:
    /// an edited, truncated or extended archive. A caller must discard what was written when it throws.
    /// </summary>
    public static async Task DecryptAsync(Stream input, Stream plaintext, string passphrase, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(plaintext);
        ArgumentException.ThrowIfNullOrEmpty(passphrase);
        var header = new byte[HeaderSize];
        if (await FillAsync(input, header, ct).ConfigureAwait(false) != HeaderSize || !header.AsSpan(0, 8).SequenceEqual(Magic))
        {
            throw new BackupArchiveException("This is not a Mote backup archive (its header is missing or of an unknown version).");
        }
        var iterations = BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(8));
        var chunkSize = BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(HeaderSize - 4));
        if (iterations < MinimumIterations || iterations > 100_000_000 || chunkSize != ChunkSize)
        {
            throw new BackupArchiveException($"The archive's header has been altered (it asks for {iterations} key-derivation iterations and {chunkSize}-byte chunks).");
        }
        var (key, check) = Derive(passphrase, header.AsSpan(12, SaltSize).ToArray(), iterations);
        if (!CryptographicOperations.FixedTimeEquals(HeaderCheck(check, header), header.AsSpan(12 + SaltSize, CheckSize)))
        {
            throw new BackupPassphraseException("The passphrase is wrong for this backup (or its header was altered). Nothing was changed.");
        }

        using var aes = new AesGcm(key, TagSize);
        var sealedChunk = new byte[ChunkSize + TagSize];
        var next = new byte[ChunkSize + TagSize];
        var clear = new byte[ChunkSize];
        var length = await FillAsync(input, sealedChunk, ct).ConfigureAwait(false);
        for (long index = 0; ; index++)
        {
            if (length < TagSize)
            {
                throw new BackupArchiveException($"The archive ends inside chunk {index}: it was truncated.");
            }
            var nextLength = length == sealedChunk.Length ? await FillAsync(input, next, ct).ConfigureAwait(false) : 0;
            var last = nextLength == 0;
            var textLength = length - TagSize;
            try
            {
                aes.Decrypt(Nonce(index, last), sealedChunk.AsSpan(0, textLength), sealedChunk.AsSpan(textLength, TagSize), clear.AsSpan(0, textLength), header);
            }
            catch (AuthenticationTagMismatchException)
            {
                throw new BackupArchiveException(last
                    ? $"Chunk {index} of the archive fails its authentication: the archive was altered or cut short."
                    : $"Chunk {index} of the archive fails its authentication: the archive was altered.");
            }
            await plaintext.WriteAsync(clear.AsMemory(0, textLength), ct).ConfigureAwait(false);
            if (last)
            {
                break;
            }
            (sealedChunk, next) = (next, sealedChunk);
            length = nextLength;
        }
        CryptographicOperations.ZeroMemory(key);
        CryptographicOperations.ZeroMemory(clear);
    }

    private static (byte[] Key, byte[] Check) Derive(string passphrase, byte[] salt, int iterations)
    {
        var material = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(passphrase), salt, iterations, HashAlgorithmName.SHA256, 64);
        var keys = (material[..32], material[32..]);
        CryptographicOperations.ZeroMemory(material);
        return keys;
    }

    private static byte[] HeaderCheck(byte[] check, byte[] header)
    {
        // Everything in the header except the check field itself.
        var covered = new byte[HeaderSize - CheckSize];
        header.AsSpan(0, 12 + SaltSize).CopyTo(covered);
        header.AsSpan(12 + SaltSize + CheckSize).CopyTo(covered.AsSpan(12 + SaltSize));
        return HMACSHA256.HashData(check, covered);
    }

    private static byte[] Nonce(long index, bool last)
    {
        var nonce = new byte[12];
        BinaryPrimitives.WriteInt64BigEndian(nonce, index);
        nonce[11] = last ? (byte)1 : (byte)0;
        return nonce;
    }

    private static async Task<int> FillAsync(Stream stream, byte[] buffer, CancellationToken ct)
    {
        var filled = 0;
        while (filled < buffer.Length)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(filled), ct).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }
            filled += read;
        }
        return filled;
    }
}

/// <summary>A backup archive that is not what <see cref="BackupCipher"/> wrote: damaged, altered, truncated or foreign.</summary>
public sealed class BackupArchiveException(string message) : GalleryException(message);

/// <summary>The passphrase does not open this backup archive.</summary>
public sealed class BackupPassphraseException(string message) : GalleryException(message);
