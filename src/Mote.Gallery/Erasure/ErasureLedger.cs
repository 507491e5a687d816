using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Mote.Gallery.Data;
using Mote.Gallery.Security;

namespace Mote.Gallery.Erasure;

/// <summary>One erasure remembered outside the database: the erased person's opaque id and when (never a name).</summary>
public sealed record ErasureLedgerEntry(string PersonId, DateTimeOffset ErasedUtc);

/// <summary>
/// The erasure ledger (issue 14 item 8, docs/decisions/0015): every erased person's id, kept in the secrets folder
/// (<c>erasure-ledger.json</c>, owner-only), outside the database, so a database restored from a backup taken before an
/// erasure can be found out and the erasure applied again (<see cref="ReapplyErasures"/>, on every start and by
/// <c>mote restore</c>). The file is sealed with HMAC-SHA256 under the <c>erasure-ledger</c> key of the same folder: an
/// edited or truncated ledger is refused, never silently trusted. Entries are only ever added. Writers in several
/// processes (the portal and <c>mote erase</c>) take an exclusive lock file around read-modify-write.
/// </summary>
public sealed class ErasureLedger(SecretKeyStore keys)
{
    /// <summary>The ledger's file name in the key store's folder.</summary>
    public const string FileName = "erasure-ledger.json";

    /// <summary>The name of the HMAC key in the secrets folder. Machine-local: a backup carries the entries, not this key.</summary>
    public const string KeyName = "erasure-ledger";

    private const string Format = "mote-erasure-ledger/1";

    /// <summary>How long a writer waits for another process's lock: 10 s.</summary>
    private static readonly TimeSpan LockPatience = TimeSpan.FromSeconds(10);

    private static readonly Lock Gate = new();

    /// <summary>The ledger file's path.</summary>
    public string FilePath => Path.Combine(keys.Directory, FileName);

    /// <summary>Every entry, oldest first; empty when no one was ever erased here. Throws <see cref="GalleryException"/> when the file was altered.</summary>
    public IReadOnlyList<ErasureLedgerEntry> Read()
    {
        lock (Gate)
        {
            return ReadUnlocked();
        }
    }

    /// <summary>Adds <paramref name="entries"/> that are not in the ledger yet (by person id) and rewrites it atomically. Returns how many were new.</summary>
    public int Add(IEnumerable<ErasureLedgerEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        lock (Gate)
        {
            using var fileLock = AcquireFileLock();
            var current = ReadUnlocked().ToList();
            var known = current.Select(e => e.PersonId).ToHashSet(StringComparer.Ordinal);
            var added = 0;
            foreach (var entry in entries)
            {
                if (known.Add(entry.PersonId))
                {
                    current.Add(entry);
                    added++;
                }
            }
            if (added > 0)
            {
                Write(current);
            }
            return added;
        }
    }

    /// <summary>Records one erasure (idempotent).</summary>
    public void Record(string personId, DateTimeOffset erasedUtc)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(personId);
        Add([new ErasureLedgerEntry(personId, erasedUtc)]);
    }

    private List<ErasureLedgerEntry> ReadUnlocked()
    {
        var path = FilePath;
        if (!File.Exists(path))
        {
            return [];
        }
        OwnerOnlyFiles.Narrow(path);
        LedgerFile? file;
        try
        {
            file = JsonSerializer.Deserialize<LedgerFile>(File.ReadAllBytes(path));
        }
        catch (JsonException)
        {
            file = null;
        }
        if (file is null || file.Format != Format || file.Entries is null || string.IsNullOrEmpty(file.Mac))
        {
            throw new GalleryException($"The erasure ledger {path} is damaged. Restore it from a copy (docs/backup.md); until then erasures cannot be re-applied to a restored database.");
        }
        var entries = file.Entries.Select(e => new ErasureLedgerEntry(e.PersonId, e.ErasedUtc)).ToList();
        byte[] mac;
        try
        {
            mac = Convert.FromHexString(file.Mac);
        }
        catch (FormatException)
        {
            mac = [];
        }
        if (!CryptographicOperations.FixedTimeEquals(mac, Seal(entries)))
        {
            throw new GalleryException($"The erasure ledger {path} has been altered: its seal does not match. Restore it from a copy (docs/backup.md).");
        }
        return entries;
    }

    private void Write(List<ErasureLedgerEntry> entries)
    {
        var file = new LedgerFile
        {
            Format = Format,
            Entries = entries.Select(e => new LedgerEntry { PersonId = e.PersonId, ErasedUtc = e.ErasedUtc }).ToList(),
            Mac = Convert.ToHexString(Seal(entries)),
        };
        var path = FilePath;
        var temp = path + $".{Guid.NewGuid():N}.tmp";
        using (var stream = new FileStream(temp, OwnerOnlyFiles.CreateNew()))
        {
            JsonSerializer.Serialize(stream, file, new JsonSerializerOptions { WriteIndented = true });
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: true);
    }

    private byte[] Seal(List<ErasureLedgerEntry> entries)
    {
        var text = new StringBuilder(Format).Append('\n');
        foreach (var entry in entries)
        {
            text.Append(entry.PersonId).Append('|').Append(entry.ErasedUtc.UtcTicks.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }
        return HMACSHA256.HashData(keys.GetOrCreate(KeyName), Encoding.UTF8.GetBytes(text.ToString()));
    }

    /// <summary>An exclusive lock file beside the ledger (an advisory <c>flock</c> on Unix), waited for up to 10 s.</summary>
    private FileStream AcquireFileLock()
    {
        keys.GetOrCreate(KeyName); // creates the secrets folder, owner-only
        var path = FilePath + ".lock";
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        while (true)
        {
            try
            {
                var options = new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.ReadWrite, Share = FileShare.None };
                if (!OperatingSystem.IsWindows())
                {
                    options.UnixCreateMode = OwnerOnlyFiles.FileMode;
                }
                return new FileStream(path, options);
            }
            catch (IOException) when (System.Diagnostics.Stopwatch.GetElapsedTime(started) < LockPatience)
            {
                Thread.Sleep(50);
            }
        }
    }

    private sealed class LedgerFile
    {
        public string? Format { get; set; }

        public List<LedgerEntry>? Entries { get; set; }

        public string? Mac { get; set; }
    }

    private sealed class LedgerEntry
    {
        public string PersonId { get; set; } = "";

        public DateTimeOffset ErasedUtc { get; set; }
    }
}
