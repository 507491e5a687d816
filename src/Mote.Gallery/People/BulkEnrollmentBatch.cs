using System.Globalization;
using System.IO.Compression;
using System.Text;
using Mote.Core.Population.Labels;
using Mote.Gallery.Engine;

namespace Mote.Gallery.People;

/// <summary>One person to enroll in a bulk enrollment, as the batch names them (nothing is checked yet).</summary>
/// <param name="Row">1-based position in the batch (with a CSV: row 1 is the first line after the header).</param>
/// <param name="Name">The person's name (from the CSV's <c>name</c>, else from the file or folder name).</param>
/// <param name="Photo">Where the photo is: a path relative to the CSV or folder, or an entry of the ZIP; "" when the row names none.</param>
/// <param name="ExternalId">Optional external id (an employee number).</param>
/// <param name="Gender">Optional declared gender.</param>
/// <param name="Ethnicity">Optional declared ethnicity.</param>
/// <param name="AgeBand">Optional declared age band.</param>
/// <param name="Problem">Why the row cannot be enrolled before its photo is even read (a malformed CSV row); null when none.</param>
public sealed record BulkEnrollmentRow(
    int Row, string Name, string Photo, string? ExternalId = null, string? Gender = null, string? Ethnicity = null, string? AgeBand = null,
    string? Problem = null);

/// <summary>
/// A batch of people to enroll and where their photos are: a CSV (columns <c>name</c>, <c>photo</c>, optional
/// <c>external_id</c>, <c>gender</c>, <c>ethnicity</c>, <c>age_band</c>; photo paths relative to the CSV), a folder (one
/// person per image file at its top, named after the file, and one per sub-folder, named after the folder, enrolled from
/// its first image by name), or a ZIP laid out like either. A folder or ZIP holding exactly one <c>.csv</c> at its top
/// is read through that CSV. Reading the batch checks its structure only; each photo is read, and refused in words,
/// when its row is enrolled (<see cref="ReadPhotoAsync"/>). Dispose it to close the ZIP and delete its temporary copy.
/// </summary>
public abstract class BulkEnrollmentBatch : IDisposable
{
    /// <summary>The largest ZIP accepted from the portal and the REST API: 100 MB (100,000,000 bytes), about ten photos at the photo limit or hundreds of ordinary ones.</summary>
    public const long MaxArchiveBytes = 100_000_000;

    /// <summary>The most rows one batch may hold: 500. Each enrollment trains for seconds, so a bigger batch belongs in several runs (they resume).</summary>
    public const int MaxRows = 500;

    /// <summary>The largest CSV read: 1 MB, far more than <see cref="MaxRows"/> rows need.</summary>
    public const int MaxCsvBytes = 1_000_000;

    /// <summary>The columns a CSV may have, as written in the docs.</summary>
    public static readonly IReadOnlyList<string> Columns = ["name", "photo", "external_id", "gender", "ethnicity", "age_band"];

    private static readonly string[] ImageExtensions = [".jpg", ".jpeg", ".png"];

    /// <summary>What the batch was read from, for messages ("people.csv", "staff.zip").</summary>
    public string Source { get; }

    /// <summary>The rows, in order.</summary>
    public IReadOnlyList<BulkEnrollmentRow> Rows { get; }

    private protected BulkEnrollmentBatch(string source, IReadOnlyList<BulkEnrollmentRow> rows)
    {
        Source = source;
        Rows = rows;
    }

    /// <summary>The row's photo bytes, checked by <see cref="PhotoPolicy.Check"/>; a <see cref="GalleryException"/> in words when missing or refused.</summary>
    public async Task<byte[]> ReadPhotoAsync(BulkEnrollmentRow row, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(row);
        if (string.IsNullOrWhiteSpace(row.Photo))
        {
            throw new GalleryException("This row names no photo.");
        }
        var bytes = await ReadBytesAsync(row.Photo.Trim(), ct).ConfigureAwait(false);
        return PhotoPolicy.Check(bytes, row.Photo.Trim());
    }

    private protected abstract Task<byte[]> ReadBytesAsync(string photo, CancellationToken ct);

    /// <summary>A CSV file, a folder or a ZIP file on disk (the CLI's <c>mote enroll --from</c>).</summary>
    /// <exception cref="GalleryException">It does not exist, or it is not a readable batch (in words).</exception>
    public static BulkEnrollmentBatch FromPath(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (Directory.Exists(path))
        {
            var folder = Path.GetFullPath(path);
            var csvs = Directory.EnumerateFiles(folder, "*.csv").Where(f => !Path.GetFileName(f).StartsWith('.')).ToArray();
            return csvs.Length == 1 ? FromCsvFile(csvs[0]) : new FolderBatch(Path.GetFileName(folder.TrimEnd(Path.DirectorySeparatorChar)), folder, FolderRows(folder));
        }
        if (!File.Exists(path))
        {
            throw new GalleryException($"There is no file or folder {path}.", GalleryErrorKind.NotFound);
        }
        if (path.EndsWith(".zip", StringComparison.OrdinalIgnoreCase))
        {
            var stream = File.OpenRead(path);
            try
            {
                return FromZip(stream, Path.GetFileName(path));
            }
            catch
            {
                stream.Dispose();
                throw;
            }
        }
        return FromCsvFile(path);
    }

    /// <summary>
    /// A ZIP upload (the portal, the REST API). Copies at most <see cref="MaxArchiveBytes"/> of <paramref name="upload"/> into a
    /// temporary file that is deleted when the batch is disposed, so the archive is never held in memory.
    /// </summary>
    /// <exception cref="GalleryException">Too large, not a ZIP, or not a readable batch (in words).</exception>
    public static async Task<BulkEnrollmentBatch> FromZipUploadAsync(Stream upload, string name, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(upload);
        var temp = new FileStream(Path.Combine(Path.GetTempPath(), $"mote-bulk-{Guid.NewGuid():N}.zip"), FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 81920,
            FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        try
        {
            var buffer = new byte[81920];
            int read;
            while ((read = await upload.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
            {
                if (temp.Length + read > MaxArchiveBytes)
                {
                    throw TooLarge(name, null);
                }
                await temp.WriteAsync(buffer.AsMemory(0, read), ct).ConfigureAwait(false);
            }
            temp.Position = 0;
            return FromZip(temp, name);
        }
        catch
        {
            await temp.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The refusal of a ZIP over <see cref="MaxArchiveBytes"/>.</summary>
    public static GalleryException TooLarge(string? name, long? bytes) => new(
        string.Create(CultureInfo.InvariantCulture, $"{(string.IsNullOrWhiteSpace(name) ? "The ZIP" : $"“{name}”")} is too large{(bytes is { } b ? $" ({b:N0} bytes)" : "")}; a batch is at most 100 MB ({MaxArchiveBytes:N0} bytes): split it into several ZIPs (enrolled rows are skipped when a batch is sent again)."),
        GalleryErrorKind.PhotoTooLarge);

    /// <summary>Reads <paramref name="stream"/> (seekable) as a ZIP; the batch owns and disposes the stream.</summary>
    private static ZipBatch FromZip(Stream stream, string name)
    {
        if (stream.CanSeek && stream.Length > MaxArchiveBytes)
        {
            throw TooLarge(name, stream.Length);
        }
        ZipArchive zip;
        try
        {
            zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: false);
        }
        catch (InvalidDataException e)
        {
            throw new GalleryException($"“{name}” is not a ZIP archive ({e.Message.TrimEnd('.')}).", GalleryErrorKind.UnusablePhoto);
        }
        try
        {
            var files = zip.Entries.Where(e => e.Name.Length > 0 && !IsHidden(e.FullName)).ToArray();
            // A ZIP made by zipping a folder ("zip -r staff.zip staff/") holds everything under one folder: that folder is its top.
            var root = RootFolder(files.Select(e => e.FullName));
            string Relative(ZipArchiveEntry e) => e.FullName[root.Length..];
            var csvs = files.Where(e => !Relative(e).Contains('/', StringComparison.Ordinal) && e.Name.EndsWith(".csv", StringComparison.OrdinalIgnoreCase)).ToArray();
            IReadOnlyList<BulkEnrollmentRow> rows;
            if (csvs.Length == 1)
            {
                if (csvs[0].Length > MaxCsvBytes)
                {
                    throw new GalleryException($"{csvs[0].Name} in “{name}” is larger than {MaxCsvBytes:N0} bytes.");
                }
                using var reader = new StreamReader(csvs[0].Open(), Encoding.UTF8);
                rows = CsvRows(reader, csvs[0].Name);
            }
            else if (csvs.Length > 1)
            {
                throw new GalleryException($"“{name}” holds {csvs.Length} CSV files at its top ({string.Join(", ", csvs.Select(c => c.Name))}); put exactly one there.");
            }
            else
            {
                rows = LayoutRows(files.Select(Relative).Where(IsImage).ToArray(), name);
            }
            return new ZipBatch(name, rows, zip, root);
        }
        catch
        {
            zip.Dispose();
            throw;
        }
    }

    /// <summary>"staff/" when every entry lies under that one folder, else "".</summary>
    private static string RootFolder(IEnumerable<string> paths)
    {
        string? root = null;
        foreach (var path in paths)
        {
            var slash = path.IndexOf('/', StringComparison.Ordinal);
            if (slash < 0)
            {
                return "";
            }
            var top = path[..(slash + 1)];
            if (root is null)
            {
                root = top;
            }
            else if (!string.Equals(root, top, StringComparison.Ordinal))
            {
                return "";
            }
        }
        return root ?? "";
    }

    private static CsvFileBatch FromCsvFile(string path)
    {
        var info = new FileInfo(path);
        if (info.Length > MaxCsvBytes)
        {
            throw new GalleryException($"{path} is larger than {MaxCsvBytes:N0} bytes; is it really a CSV of names and photos?");
        }
        using var reader = new StreamReader(path, Encoding.UTF8);
        return new CsvFileBatch(info.Name, info.DirectoryName!, CsvRows(reader, info.Name));
    }

    /// <summary>The rows of a CSV with a header naming its columns (any order, case-insensitive; <c>external id</c>, <c>externalId</c> and <c>age band</c> spellings too).</summary>
    internal static IReadOnlyList<BulkEnrollmentRow> CsvRows(TextReader reader, string source)
    {
        List<(int Line, string[] Fields)> table;
        try
        {
            table = CsvTable.Read(reader, source).ToList();
        }
        catch (LabelFormatException e)
        {
            throw new GalleryException(e.Message);
        }
        if (table.Count == 0)
        {
            throw new GalleryException($"{source} is empty: its first line must name the columns ({string.Join(", ", Columns)}).");
        }
        var header = table[0].Fields.Select(h => Canonical(h)).ToArray();
        var unknown = table[0].Fields.Where((h, i) => !Columns.Contains(header[i], StringComparer.Ordinal)).ToArray();
        if (unknown.Length > 0)
        {
            throw new GalleryException($"{source} has the unknown column{(unknown.Length > 1 ? "s" : "")} {string.Join(", ", unknown.Select(u => $"'{u}'"))}; use {string.Join(", ", Columns)}.");
        }
        foreach (var required in new[] { "name", "photo" })
        {
            if (!header.Contains(required, StringComparer.Ordinal))
            {
                throw new GalleryException($"{source} has no '{required}' column; its first line must name the columns ({string.Join(", ", Columns)}).");
            }
        }
        if (header.Distinct(StringComparer.Ordinal).Count() != header.Length)
        {
            throw new GalleryException($"{source} names a column twice.");
        }
        if (table.Count - 1 > MaxRows)
        {
            throw new GalleryException($"{source} has {table.Count - 1} rows; a batch holds at most {MaxRows}: split it (enrolled rows are skipped when a batch is run again).");
        }
        string? Field(string[] fields, string column)
        {
            var i = Array.IndexOf(header, column);
            return i >= 0 && i < fields.Length && !string.IsNullOrWhiteSpace(fields[i]) ? fields[i].Trim() : null;
        }
        return table.Skip(1).Select((r, i) => new BulkEnrollmentRow(
            i + 1, Field(r.Fields, "name") ?? "", Field(r.Fields, "photo") ?? "",
            Field(r.Fields, "external_id"), Field(r.Fields, "gender"), Field(r.Fields, "ethnicity"), Field(r.Fields, "age_band"),
            r.Fields.Length == header.Length ? null : $"Line {r.Line} of {source} has {r.Fields.Length} fields; the header has {header.Length}.")).ToArray();
    }

    private static string Canonical(string column) => column.Trim().ToLowerInvariant().Replace(" ", "_", StringComparison.Ordinal).Replace("-", "_", StringComparison.Ordinal) switch
    {
        "externalid" => "external_id",
        "ageband" => "age_band",
        var c => c,
    };

    private static List<BulkEnrollmentRow> FolderRows(string folder)
    {
        var files = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(folder, f).Replace(Path.DirectorySeparatorChar, '/'))
            .Where(f => IsImage(f) && !IsHidden(f) && f.Count(c => c == '/') <= 1)
            .ToArray();
        return LayoutRows(files, Path.GetFileName(folder));
    }

    /// <summary>
    /// One row per image at the top (named after the file) and one per sub-folder (named after the folder, its first
    /// image by name); deeper files are ignored. Paths use '/'.
    /// </summary>
    internal static List<BulkEnrollmentRow> LayoutRows(IReadOnlyList<string> images, string source)
    {
        var top = images.Where(p => !p.Contains('/', StringComparison.Ordinal)).Select(p => (Name: NameFromFile(p), Photo: p));
        var folders = images.Where(p => p.Count(c => c == '/') == 1)
            .GroupBy(p => p[..p.IndexOf('/', StringComparison.Ordinal)], StringComparer.Ordinal)
            .Select(g => (Name: NameFromFile(g.Key, stripExtension: false), Photo: g.Order(StringComparer.Ordinal).First()));
        var rows = top.Concat(folders).OrderBy(r => r.Photo, StringComparer.Ordinal)
            .Select((r, i) => new BulkEnrollmentRow(i + 1, r.Name, r.Photo)).ToList();
        if (rows.Count == 0)
        {
            throw new GalleryException($"{source} holds no CSV and no JPEG or PNG photos (one per person, or one sub-folder per person).");
        }
        if (rows.Count > MaxRows)
        {
            throw new GalleryException($"{source} holds {rows.Count} people; a batch holds at most {MaxRows}: split it (enrolled rows are skipped when a batch is run again).");
        }
        return rows;
    }

    /// <summary>"Ada_Lovelace_0002.jpg" → "Ada Lovelace": underscores become spaces and a trailing photo number is dropped.</summary>
    internal static string NameFromFile(string file, bool stripExtension = true)
    {
        var stem = stripExtension ? Path.GetFileNameWithoutExtension(file) : file;
        var words = stem.Replace('_', ' ').Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        if (words.Count > 1 && words[^1].All(char.IsAsciiDigit))
        {
            words.RemoveAt(words.Count - 1);
        }
        return string.Join(' ', words);
    }

    private static bool IsImage(string path) => ImageExtensions.Contains(Path.GetExtension(path).ToLowerInvariant(), StringComparer.Ordinal);

    private static bool IsHidden(string path) => path.Split('/').Any(p => p.StartsWith('.') || p == "__MACOSX");

    /// <summary>Closes the batch's ZIP, if any, and deletes its temporary copy.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases what the batch holds; the base holds nothing, a ZIP batch its archive.</summary>
    /// <param name="disposing">True from <see cref="Dispose()"/>; false from a finalizer, where nothing managed is touched.</param>
    protected virtual void Dispose(bool disposing)
    {
    }

    /// <summary>A CSV on disk: photos relative to its folder (or absolute).</summary>
    private sealed class CsvFileBatch(string source, string folder, IReadOnlyList<BulkEnrollmentRow> rows) : BulkEnrollmentBatch(source, rows)
    {
        private protected override Task<byte[]> ReadBytesAsync(string photo, CancellationToken ct) => ReadFileAsync(Path.Combine(folder, photo), photo, ct);
    }

    /// <summary>A folder laid out one person per file or sub-folder.</summary>
    private sealed class FolderBatch(string source, string folder, IReadOnlyList<BulkEnrollmentRow> rows) : BulkEnrollmentBatch(source, rows)
    {
        private protected override Task<byte[]> ReadBytesAsync(string photo, CancellationToken ct) => ReadFileAsync(Path.Combine(folder, photo), photo, ct);
    }

    private static async Task<byte[]> ReadFileAsync(string path, string shown, CancellationToken ct)
    {
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            throw new GalleryException($"There is no file {shown}.", GalleryErrorKind.NotFound);
        }
        PhotoPolicy.CheckSize(info.Length, shown);
        return await File.ReadAllBytesAsync(path, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// A ZIP: photos are entries, found by their path inside the archive (relative to its top: the one folder holding
    /// everything, when it has one) or, when unique, by file name alone.
    /// </summary>
    private sealed class ZipBatch(string source, IReadOnlyList<BulkEnrollmentRow> rows, ZipArchive zip, string root) : BulkEnrollmentBatch(source, rows)
    {
        private readonly SemaphoreSlim _gate = new(1, 1);

        private protected override async Task<byte[]> ReadBytesAsync(string photo, CancellationToken ct)
        {
            var wanted = photo.Replace('\\', '/').TrimStart('.', '/');
            await _gate.WaitAsync(ct).ConfigureAwait(false);
            try
            {
                var entry = zip.Entries.FirstOrDefault(e => string.Equals(e.FullName, root + wanted, StringComparison.Ordinal))
                    ?? zip.Entries.FirstOrDefault(e => string.Equals(e.FullName, wanted, StringComparison.Ordinal));
                if (entry is null)
                {
                    var byName = zip.Entries.Where(e => string.Equals(e.Name, Path.GetFileName(wanted), StringComparison.Ordinal)).Take(2).ToArray();
                    entry = byName.Length == 1 ? byName[0] : throw new GalleryException(byName.Length == 0
                        ? $"There is no file {photo} in {Source}."
                        : $"{Source} holds several files called {Path.GetFileName(wanted)}: name the photo by its path inside the ZIP.", GalleryErrorKind.NotFound);
                }
                // The declared size first, then a counted read: a ZIP's sizes can lie (a decompression bomb).
                PhotoPolicy.CheckSize(entry.Length, photo);
                var stream = entry.Open();
                await using (stream.ConfigureAwait(false))
                {
                    using var buffer = new MemoryStream((int)entry.Length);
                    var chunk = new byte[81920];
                    int read;
                    while ((read = await stream.ReadAsync(chunk, ct).ConfigureAwait(false)) > 0)
                    {
                        if (buffer.Length + read > PhotoPolicy.MaxBytes)
                        {
                            throw PhotoPolicy.TooLarge(photo, null);
                        }
                        buffer.Write(chunk, 0, read);
                    }
                    return buffer.ToArray();
                }
            }
            catch (InvalidDataException e)
            {
                throw new GalleryException($"{photo} cannot be unpacked from {Source} ({e.Message.TrimEnd('.')}).", GalleryErrorKind.UnusablePhoto);
            }
            finally
            {
                _gate.Release();
            }
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                zip.Dispose();
                _gate.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
