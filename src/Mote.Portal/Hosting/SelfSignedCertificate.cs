using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Mote.Portal.Hosting;

/// <summary>
/// The portal's own HTTPS certificate when none is configured: generated on the first start into
/// <c>&lt;secrets&gt;/https/</c> (<c>certificate.pem</c>, <c>key.pem</c>; the folder 0700, the files 0600) and reused on
/// later starts until 30 days before it expires, then replaced. Self-signed, so browsers warn once; the
/// fingerprint is logged so the warning can be checked against it (decision 0012).
/// </summary>
internal static partial class SelfSignedCertificate
{
    public const string Folder = "https";
    public const string CertificateFile = "certificate.pem";
    public const string KeyFile = "key.pem";

    /// <summary>397 days: the longest validity browsers accept for a server certificate.</summary>
    public static readonly TimeSpan Validity = TimeSpan.FromDays(397);

    /// <summary>A certificate closer than this to its end is replaced at start.</summary>
    public static readonly TimeSpan RenewBefore = TimeSpan.FromDays(30);

    /// <summary>Loads the certificate kept in <paramref name="directory"/>, or creates (and keeps) a new one when
    /// there is none, it cannot be read, or it ends within <see cref="RenewBefore"/>. Writes files only then.</summary>
    public static X509Certificate2 LoadOrCreate(string directory, TimeProvider time, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(time);
        SecretDirectory.Ensure(directory);
        var certificatePath = Path.Combine(directory, CertificateFile);
        var keyPath = Path.Combine(directory, KeyFile);
        var now = time.GetUtcNow();
        if (File.Exists(certificatePath) && File.Exists(keyPath))
        {
            try
            {
                var kept = Usable(X509Certificate2.CreateFromPemFile(certificatePath, keyPath));
                if (kept.NotAfter.ToUniversalTime() - RenewBefore > now.UtcDateTime)
                {
                    LogReused(logger, certificatePath, kept.GetCertHashString(HashAlgorithmName.SHA256), kept.NotAfter.ToUniversalTime());
                    return kept;
                }
                LogRenewing(logger, certificatePath, kept.NotAfter.ToUniversalTime());
                kept.Dispose();
            }
            catch (CryptographicException e)
            {
                LogUnreadable(logger, certificatePath, e);
            }
        }

        var created = Create(now);
        // The key first: a certificate file without its key would be taken for a kept pair on the next start.
        WriteOwnerOnly(keyPath, created.Key);
        WriteOwnerOnly(certificatePath, created.Certificate);
        var certificate = Usable(X509Certificate2.CreateFromPemFile(certificatePath, keyPath));
        LogCreated(logger, certificatePath, certificate.GetCertHashString(HashAlgorithmName.SHA256), certificate.NotAfter.ToUniversalTime());
        return certificate;
    }

    /// <summary>An RSA-2048 server certificate (the widest client support, as <c>dotnet dev-certs</c>) for
    /// localhost, this machine's host name and the loopback addresses; PEM texts of certificate and PKCS#8 key.</summary>
    internal static (string Certificate, string Key) Create(DateTimeOffset now)
    {
        using var key = RSA.Create(2048);
        var host = Dns.GetHostName();
        var request = new CertificateRequest(new X500DistinguishedName($"CN={X500Escape(host)}, O=Mote Portal (self-signed)"), key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: false, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1", "Server Authentication")], critical: false));
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        if (!string.IsNullOrWhiteSpace(host) && !string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            names.AddDnsName(host);
        }
        names.AddIpAddress(IPAddress.Loopback);
        names.AddIpAddress(IPAddress.IPv6Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        // Five minutes back: a client whose clock is slightly behind still sees a valid certificate.
        using var certificate = request.CreateSelfSigned(now.AddMinutes(-5), now.Add(Validity));
        return (certificate.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem());
    }

    /// <summary>A certificate loaded from PEM holds an ephemeral key, which the TLS stack of some platforms
    /// (Windows' SChannel) refuses; a PKCS#12 round trip gives it a persisted one everywhere.</summary>
    private static X509Certificate2 Usable(X509Certificate2 fromPem)
    {
        using (fromPem)
        {
            return X509CertificateLoader.LoadPkcs12(fromPem.Export(X509ContentType.Pkcs12), password: null);
        }
    }

    /// <summary>Writes through a temporary file created 0600 (never readable by others, even for a moment), then
    /// moves it into place; an existing file is narrowed to 0600 too.</summary>
    private static void WriteOwnerOnly(string path, string text)
    {
        var temporary = path + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        using (var stream = new FileStream(temporary, options))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(text);
        }
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        File.Move(temporary, path, overwrite: true);
    }

    private static string X500Escape(string value) =>
        value.Contains(',', StringComparison.Ordinal) || value.Contains('"', StringComparison.Ordinal) || value.Contains('=', StringComparison.Ordinal)
            ? "\"" + value.Replace("\"", "\\\"", StringComparison.Ordinal) + "\""
            : value;

    [LoggerMessage(Level = LogLevel.Warning, Message = "HTTPS uses a self-signed certificate generated now ({Path}, SHA-256 {Fingerprint}, valid until {NotAfter:u}); browsers warn about it. Configure Kestrel:Certificates:Default to serve your own.")]
    private static partial void LogCreated(ILogger logger, string path, string fingerprint, DateTime notAfter);

    [LoggerMessage(Level = LogLevel.Information, Message = "HTTPS uses the self-signed certificate {Path} (SHA-256 {Fingerprint}, valid until {NotAfter:u}).")]
    private static partial void LogReused(ILogger logger, string path, string fingerprint, DateTime notAfter);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The self-signed certificate {Path} ends {NotAfter:u}; a new one replaces it.")]
    private static partial void LogRenewing(ILogger logger, string path, DateTime notAfter);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The self-signed certificate {Path} cannot be read; a new one replaces it.")]
    private static partial void LogUnreadable(ILogger logger, string path, Exception e);
}
