using System.Security.Cryptography;
using Mote.Gallery.Security;

namespace Mote.Gallery.People;

/// <summary>
/// A keyed digest of an enrollment photo's bytes, written into the person's <see cref="Audit.AuditEventCode.PersonEnrolled"/>
/// detail so that a bulk enrollment sent again can tell "this person, from this very photo, is enrolled already" from "someone
/// else has this name" without keeping the photo. HMAC-SHA256 under the <c>photo-digests</c> key in the secrets directory
/// (never the database), first 16 bytes as hex: a reader of the trail cannot test a photo they hold against it, and it says
/// nothing about the face. Erasing the person erases the detail, and with it the digest.
/// </summary>
public static class PhotoDigest
{
    /// <summary>The key's name in the secrets directory.</summary>
    public const string KeyName = "photo-digests";

    /// <summary>How the digest is introduced in the audit detail: "…, photo digest 0123…".</summary>
    public const string Marker = "photo digest ";

    /// <summary>32 lower-case hex characters.</summary>
    public static string Of(SecretKeyStore keys, ReadOnlySpan<byte> photo)
    {
        ArgumentNullException.ThrowIfNull(keys);
        return Convert.ToHexStringLower(HMACSHA256.HashData(keys.GetOrCreate(KeyName), photo)[..16]);
    }
}
