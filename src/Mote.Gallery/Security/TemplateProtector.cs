using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Mote.Gallery.Security;

/// <summary>
/// Encrypts biometric data at rest (model-templates, vector templates, thumbnails) with AES-256-GCM.
/// The key lives in the secrets directory (<see cref="SecretKeyStore"/>, name "templates"); the owner's
/// id and the purpose are bound as associated data, so a blob copied onto another person (or into
/// another column) fails to decrypt instead of silently becoming theirs.
/// Blob layout: version (1) | nonce (12) | tag (16) | ciphertext.
/// </summary>
public sealed class TemplateProtector(SecretKeyStore keys)
{
    private const byte Version = 1;
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private const int HeaderSize = 1 + NonceSize + TagSize;

    public byte[] Protect(string ownerId, string purpose, ReadOnlySpan<byte> plaintext)
    {
        var blob = new byte[HeaderSize + plaintext.Length];
        blob[0] = Version;
        var nonce = blob.AsSpan(1, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(keys.GetOrCreate("templates"), TagSize);
        aes.Encrypt(nonce, plaintext, blob.AsSpan(HeaderSize), blob.AsSpan(1 + NonceSize, TagSize), AssociatedData(ownerId, purpose));
        return blob;
    }

    /// <exception cref="TemplateIntegrityException">The blob is damaged, belongs to someone else, or the key differs.</exception>
    public byte[] Unprotect(string ownerId, string purpose, ReadOnlySpan<byte> blob)
    {
        if (blob.Length < HeaderSize || blob[0] != Version)
        {
            throw new TemplateIntegrityException("The stored template is damaged or in an unknown format.");
        }
        var plaintext = new byte[blob.Length - HeaderSize];
        try
        {
            using var aes = new AesGcm(keys.GetOrCreate("templates"), TagSize);
            aes.Decrypt(blob.Slice(1, NonceSize), blob[HeaderSize..], blob.Slice(1 + NonceSize, TagSize), plaintext, AssociatedData(ownerId, purpose));
        }
        catch (AuthenticationTagMismatchException)
        {
            throw new TemplateIntegrityException("The stored template does not decrypt for this person: it was altered, copied from another record, or the template key changed.");
        }
        return plaintext;
    }

    private static byte[] AssociatedData(string ownerId, string purpose)
    {
        var text = Encoding.UTF8.GetBytes($"mote/{purpose}/{ownerId}");
        var ad = new byte[4 + text.Length];
        BinaryPrimitives.WriteInt32LittleEndian(ad, text.Length);
        text.CopyTo(ad, 4);
        return ad;
    }
}
