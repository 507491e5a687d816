namespace Mote.Core.Templates;

/// <summary>
/// Which face-embedding network produced a descriptor: an id (e.g. <c>"dlib-resnet-128"</c>) and the SHA-256
/// of its converted weights as 64 lowercase hex digits. Scores between descriptors of different backbones
/// are meaningless, so every template carries the identity it was enrolled with.
/// </summary>
public sealed record BackboneIdentity
{
    /// <summary>Creates an identity; <paramref name="sha256Hex"/> is normalised to lowercase.</summary>
    /// <exception cref="ArgumentException">The id is empty or longer than 200 characters, or the hash is not 64 hex digits.</exception>
    public BackboneIdentity(string id, string sha256Hex)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        ArgumentNullException.ThrowIfNull(sha256Hex);
        if (id.Length > 200)
        {
            throw new ArgumentException($"Backbone id '{id[..20]}…' is longer than 200 characters.", nameof(id));
        }

        if (sha256Hex.Length != 64 || !sha256Hex.All(char.IsAsciiHexDigit))
        {
            throw new ArgumentException($"Backbone hash '{sha256Hex}' of '{id}' is not 64 hex digits (a SHA-256).", nameof(sha256Hex));
        }

        Id = id;
        Sha256Hex = sha256Hex.ToLowerInvariant();
    }

    /// <summary>The backbone's id.</summary>
    public string Id { get; }

    /// <summary>SHA-256 of the backbone's weights, lowercase hex.</summary>
    public string Sha256Hex { get; }

    /// <summary>Throws when <paramref name="probeBackbone"/> is not this backbone.</summary>
    /// <exception cref="BackboneMismatchException">The ids or hashes differ.</exception>
    public void EnsureSameAs(BackboneIdentity probeBackbone, string what)
    {
        ArgumentNullException.ThrowIfNull(probeBackbone);
        if (!Equals(probeBackbone))
        {
            throw new BackboneMismatchException(
                $"{what} was enrolled with backbone '{Id}' ({Sha256Hex[..12]}…) but the probe comes from '{probeBackbone.Id}' " +
                $"({probeBackbone.Sha256Hex[..12]}…); re-enroll or use the matching backbone.");
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"{Id} ({Sha256Hex[..12]}…)";
}
