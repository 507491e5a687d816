using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;

namespace Mote.Core.Models;

/// <summary>Checks and unpacks npm package tarballs (<c>.tgz</c>) without trusting their contents.</summary>
public static class PackageArchive
{
    /// <summary>More entries than any pinned package has (face-api 1.7.15: 254, human-models 3.0.4: 89).</summary>
    public const int MaxEntries = 20_000;

    /// <summary>The base64 SHA-512 of a file, the form npm's integrity values use after <c>sha512-</c>.</summary>
    public static string ComputeSha512(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToBase64String(SHA512.HashData(stream));
    }

    /// <summary>Throws <see cref="PackageIntegrityException"/> unless the tarball's SHA-512 is the one pinned for <paramref name="package"/>.</summary>
    public static void VerifyIntegrity(string tarballPath, PinnedPackage package)
    {
        ArgumentNullException.ThrowIfNull(package);
        var actual = ComputeSha512(tarballPath);
        if (!string.Equals(actual, package.Sha512, StringComparison.Ordinal))
        {
            throw new PackageIntegrityException(
                $"Tarball '{tarballPath}' for {package.Spec} has SHA-512 '{actual}', but '{package.Sha512}' is pinned; refusing to use it.");
        }
    }

    /// <summary>
    /// Extracts a gzip-compressed tarball into <paramref name="destinationDir"/> (created if missing) and
    /// returns the package root: the single top-level directory (npm's <c>package/</c>) or the destination.
    /// Only regular files and directories are written, with default permissions.
    /// </summary>
    /// <exception cref="UnsafeArchiveException">
    /// An entry has an absolute path or a <c>..</c> segment, is a link, device or other special entry,
    /// repeats a file, or the files exceed <paramref name="maxBytes"/> in total or number more than
    /// <see cref="MaxEntries"/>. Files written before the offending entry are left for the caller to delete.
    /// </exception>
    public static string Extract(string tarballPath, string destinationDir, long maxBytes)
    {
        var root = Path.GetFullPath(destinationDir);
        Directory.CreateDirectory(root);
        var rootWithSeparator = Path.EndsInDirectorySeparator(root) ? root : root + Path.DirectorySeparatorChar;
        long total = 0;
        var entries = 0;
        var topLevel = new HashSet<string>(StringComparer.Ordinal);

        try
        {
            using var file = File.OpenRead(tarballPath);
            using var gzip = new GZipStream(file, CompressionMode.Decompress);
            using var reader = new TarReader(gzip);
            while (reader.GetNextEntry(copyData: false) is { } entry)
            {
                if (++entries > MaxEntries)
                {
                    throw new UnsafeArchiveException($"Tarball '{tarballPath}' has more than {MaxEntries} entries.");
                }
                if (entry.EntryType == TarEntryType.GlobalExtendedAttributes)
                {
                    continue;
                }
                var target = ResolveTarget(tarballPath, entry.Name, rootWithSeparator);
                topLevel.Add(entry.Name.Replace('\\', '/').TrimStart('.', '/').Split('/')[0]);
                switch (entry.EntryType)
                {
                    case TarEntryType.Directory:
                        Directory.CreateDirectory(target);
                        break;
                    case TarEntryType.RegularFile or TarEntryType.V7RegularFile:
                        if (total + entry.Length > maxBytes)
                        {
                            throw new UnsafeArchiveException(
                                $"Tarball '{tarballPath}' unpacks to more than the {maxBytes}-byte cap (at entry '{entry.Name}').");
                        }
                        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                        total += WriteFile(tarballPath, entry, target);
                        break;
                    default:
                        throw new UnsafeArchiveException(
                            $"Tarball '{tarballPath}' holds entry '{entry.Name}' of type {entry.EntryType}; only regular files and directories are extracted.");
                }
            }
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or FormatException)
        {
            throw new ModelProvisioningException($"Tarball '{tarballPath}' is not a valid gzip-compressed tar archive: {e.Message}", e);
        }

        return topLevel.Count == 1 && Directory.Exists(Path.Combine(root, topLevel.Single()))
            ? Path.Combine(root, topLevel.Single())
            : root;
    }

    private static string ResolveTarget(string tarballPath, string name, string rootWithSeparator)
    {
        if (string.IsNullOrEmpty(name) || name.Contains('\0', StringComparison.Ordinal))
        {
            throw new UnsafeArchiveException($"Tarball '{tarballPath}' holds an entry with an empty or NUL-containing name.");
        }
        var normalised = name.Replace('\\', '/');
        if (normalised.StartsWith('/') || Path.IsPathRooted(name) || normalised.Contains(':', StringComparison.Ordinal))
        {
            throw new UnsafeArchiveException($"Tarball '{tarballPath}' holds entry '{name}' with an absolute path.");
        }
        if (normalised.Split('/').Any(segment => segment == ".."))
        {
            throw new UnsafeArchiveException($"Tarball '{tarballPath}' holds entry '{name}' with a '..' segment.");
        }
        var full = Path.GetFullPath(Path.Combine(rootWithSeparator, normalised));
        // Belt and braces after the checks above: the resolved path must stay inside the destination.
        if (!full.StartsWith(rootWithSeparator, StringComparison.Ordinal) && full + Path.DirectorySeparatorChar != rootWithSeparator)
        {
            throw new UnsafeArchiveException($"Tarball '{tarballPath}' holds entry '{name}' that resolves outside the destination.");
        }
        return full;
    }

    private static long WriteFile(string tarballPath, TarEntry entry, string target)
    {
        FileStream output;
        try
        {
            output = new FileStream(target, FileMode.CreateNew, FileAccess.Write);
        }
        catch (IOException e)
        {
            throw new UnsafeArchiveException($"Tarball '{tarballPath}' holds entry '{entry.Name}' more than once or over a directory: {e.Message}");
        }
        using (output)
        {
            if (entry.DataStream is { } data)
            {
                // The header's length was checked against the cap; copy exactly that much, no more.
                CopyExactly(data, output, entry.Length);
            }
        }
        return entry.Length;
    }

    private static void CopyExactly(Stream source, Stream destination, long length)
    {
        var buffer = new byte[81920];
        var left = length;
        while (left > 0)
        {
            var read = source.Read(buffer, 0, (int)Math.Min(buffer.Length, left));
            if (read == 0)
            {
                throw new EndOfStreamException("Tar entry data ended before its declared length.");
            }
            destination.Write(buffer, 0, read);
            left -= read;
        }
    }
}
