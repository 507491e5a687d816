using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Mote.Gallery.Data;
using Mote.Gallery.Hosting;

namespace Mote.Gallery.Security;

/// <summary>
/// Where ASP.NET data protection (sign-in cookies, antiforgery tokens) keeps its key ring. On SQLite: the secrets folder's
/// <c>dataprotection/</c>, as before (one machine). On PostgreSQL: the database's <c>DataProtectionKeys</c> table, so every portal
/// instance reads the same ring and a cookie issued by one is accepted by the others; each key's XML is first encrypted with
/// the secrets folder's <c>dataprotection-ring</c> key (<see cref="SecretKeyXmlEncryptor"/>), so the database alone never
/// holds a usable key — the instances must share the secrets folder (docs/deployment.md).
/// </summary>
public static class SharedKeyRing
{
    /// <summary>The secrets folder key that encrypts the ring's XML in the database.</summary>
    public const string KeyName = "dataprotection-ring";

    /// <summary>Adds data protection for <paramref name="applicationName"/>, its ring placed as described above.</summary>
    public static IDataProtectionBuilder AddMoteDataProtection(this IServiceCollection services, GalleryDatabase database, SecretsOptions secrets, string applicationName)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(secrets);
        var builder = services.AddDataProtection().SetApplicationName(applicationName);
        if (database.IsSqlite)
        {
            var folder = Directory.CreateDirectory(Path.Combine(secrets.ResolveDirectory(), "dataprotection"));
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(folder.FullName, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
            return builder.PersistKeysToFileSystem(folder);
        }
        builder.PersistKeysToDbContext<MoteDbContext>();
        services.AddOptions<KeyManagementOptions>().Configure<SecretKeyStore>((o, keys) => o.XmlEncryptor = new SecretKeyXmlEncryptor(keys));
        return builder;
    }
}

/// <summary>Encrypts a data-protection key's XML with AES-256-GCM under the secrets folder's <see cref="SharedKeyRing.KeyName"/> key.</summary>
public sealed class SecretKeyXmlEncryptor(SecretKeyStore keys) : IXmlEncryptor
{
    internal const string ElementName = "moteEncryptedKey";
    private const int NonceSize = 12;
    private const int TagSize = 16;
    internal static readonly byte[] Context = Encoding.UTF8.GetBytes("mote|dataprotection-ring|v1");

    /// <summary>Seals <paramref name="plaintextElement"/> with a fresh random nonce; the result names <see cref="SecretKeyXmlDecryptor"/> to open it.</summary>
    public EncryptedXmlInfo Encrypt(XElement plaintextElement)
    {
        ArgumentNullException.ThrowIfNull(plaintextElement);
        var plain = Encoding.UTF8.GetBytes(plaintextElement.ToString(SaveOptions.DisableFormatting));
        var sealedBytes = new byte[NonceSize + TagSize + plain.Length];
        var nonce = sealedBytes.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using (var aes = new AesGcm(keys.GetOrCreate(SharedKeyRing.KeyName), TagSize))
        {
            aes.Encrypt(nonce, plain, sealedBytes.AsSpan(NonceSize + TagSize), sealedBytes.AsSpan(NonceSize, TagSize), Context);
        }
        CryptographicOperations.ZeroMemory(plain);
        var element = new XElement(ElementName,
            new XComment(" Encrypted with the Mote secrets folder's dataprotection-ring key (AES-256-GCM). "),
            new XElement("value", Convert.ToBase64String(sealedBytes)));
        return new EncryptedXmlInfo(element, typeof(SecretKeyXmlDecryptor));
    }
}

/// <summary>The other half of <see cref="SecretKeyXmlEncryptor"/>; created by data protection through its service-provider constructor.</summary>
public sealed class SecretKeyXmlDecryptor(IServiceProvider services) : IXmlDecryptor
{
    private const int NonceSize = 12;
    private const int TagSize = 16;

    /// <summary>Opens an element <see cref="SecretKeyXmlEncryptor"/> sealed.</summary>
    /// <exception cref="System.Security.Cryptography.CryptographicException">The secrets folder lacks the key, the element is malformed or truncated, or it was sealed under another folder's key or altered.</exception>
    public XElement Decrypt(XElement encryptedElement)
    {
        ArgumentNullException.ThrowIfNull(encryptedElement);
        var keys = services.GetRequiredService<SecretKeyStore>();
        var key = keys.TryGet(SharedKeyRing.KeyName)
            ?? throw new CryptographicException($"The data-protection ring in the database is encrypted with the secrets folder's {SharedKeyRing.KeyName} key, "
                + $"which is not in {keys.Directory}. Every portal instance must share the same secrets folder (docs/deployment.md).");
        var value = encryptedElement.Element("value")?.Value ?? throw new CryptographicException("An encrypted data-protection key has no value.");
        var sealedBytes = Convert.FromBase64String(value);
        if (sealedBytes.Length < NonceSize + TagSize)
        {
            throw new CryptographicException("An encrypted data-protection key is truncated.");
        }
        var plain = new byte[sealedBytes.Length - NonceSize - TagSize];
        using (var aes = new AesGcm(key, TagSize))
        {
            // Throws AuthenticationTagMismatchException for another folder's key or an altered row.
            aes.Decrypt(sealedBytes.AsSpan(0, NonceSize), sealedBytes.AsSpan(NonceSize + TagSize), sealedBytes.AsSpan(NonceSize, TagSize), plain, SecretKeyXmlEncryptor.Context);
        }
        try
        {
            return XElement.Parse(Encoding.UTF8.GetString(plain));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plain);
        }
    }
}
