using System.IO.Compression;
using System.Text;
using Mote.Gallery.Engine;
using Mote.Gallery.People;

namespace Mote.Gallery.Tests.People;

/// <summary>How a bulk enrollment batch is read from a CSV, a folder or a ZIP, before anything is enrolled.</summary>
public sealed class BulkEnrollmentBatchTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("mote-bulk-batch-").FullName;

    [Theory]
    [InlineData("Ada_Lovelace.jpg", "Ada Lovelace")]
    [InlineData("Ada_Lovelace_0002.jpg", "Ada Lovelace")]
    [InlineData("12345.png", "12345")]
    [InlineData("Grace  Hopper 7.jpeg", "Grace Hopper")]
    public void NameFromFile_UnderscoresAndTrailingPhotoNumber_MakeTheName(string file, string expected) =>
        Assert.Equal(expected, BulkEnrollmentBatch.NameFromFile(file));

    [Fact]
    public void CsvRows_HeaderInAnyOrderAndSpelling_RowsCarryEveryColumn_ShortRowGetsAProblem()
    {
        var rows = BulkEnrollmentBatch.CsvRows(new StringReader("Photo,Name,External ID,gender,age-band\na.jpg,Ada,E-1,female,18-59\nb.jpg,Bob\n"), "people.csv");

        Assert.Equal(new BulkEnrollmentRow(1, "Ada", "a.jpg", "E-1", "female", null, "18-59"), rows[0]);
        Assert.Equal("Bob", rows[1].Name);
        Assert.Equal("Line 3 of people.csv has 2 fields; the header has 5.", rows[1].Problem);
    }

    [Theory]
    [InlineData("name,picture\nA,a.jpg\n", "people.csv has the unknown column 'picture'; use name, photo, external_id, gender, ethnicity, age_band.")]
    [InlineData("name,gender\nA,male\n", "people.csv has no 'photo' column")]
    [InlineData("", "people.csv is empty")]
    [InlineData("name,photo\n\"A,a.jpg\n", "people.csv, line 2: a quoted field is not closed")]
    public void CsvRows_BadHeaderOrQuoting_RefusedInWords(string csv, string expected)
    {
        var e = Assert.Throws<GalleryException>(() => BulkEnrollmentBatch.CsvRows(new StringReader(csv), "people.csv"));
        Assert.StartsWith(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CsvRows_OverTheRowLimit_Refused()
    {
        var csv = "name,photo\n" + string.Concat(Enumerable.Range(0, BulkEnrollmentBatch.MaxRows + 1).Select(i => $"P{i},p{i}.jpg\n"));

        var e = Assert.Throws<GalleryException>(() => BulkEnrollmentBatch.CsvRows(new StringReader(csv), "big.csv"));

        Assert.Contains($"at most {BulkEnrollmentBatch.MaxRows}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FromPath_Folder_OnePersonPerTopFileAndPerSubFolder_FirstPhotoByName_OthersIgnored()
    {
        File.WriteAllBytes(Path.Combine(_folder, "Ada_Lovelace_0001.jpg"), [1]);
        File.WriteAllText(Path.Combine(_folder, "notes.txt"), "not a photo");
        var grace = Directory.CreateDirectory(Path.Combine(_folder, "Grace_Hopper")).FullName;
        File.WriteAllBytes(Path.Combine(grace, "b.jpg"), [2]);
        File.WriteAllBytes(Path.Combine(grace, "a.png"), [3]);
        Directory.CreateDirectory(Path.Combine(_folder, ".hidden"));
        File.WriteAllBytes(Path.Combine(_folder, ".hidden", "x.jpg"), [4]);

        using var batch = BulkEnrollmentBatch.FromPath(_folder);

        Assert.Equal([("Ada Lovelace", "Ada_Lovelace_0001.jpg"), ("Grace Hopper", "Grace_Hopper/a.png")], batch.Rows.Select(r => (r.Name, r.Photo)));
        // One byte is no photo: the policy refuses it in words when its row is read.
        var e = await Assert.ThrowsAsync<GalleryException>(() => batch.ReadPhotoAsync(batch.Rows[1]));
        Assert.Equal("“Grace_Hopper/a.png” is not an image. Upload a PNG or JPEG photo.", e.Message);
    }

    [Fact]
    public async Task FromZipUpload_WithCsv_PhotosByPathOrUniqueFileName_MissingOneSaysSo()
    {
        var zip = Zip(("people.csv", "name,photo\nAda,photos/ada.jpg\nBob,bob.jpg\nCy,cy.jpg\n"u8.ToArray()), ("photos/ada.jpg", Jpeg()), ("photos/bob.jpg", Jpeg()));

        using var batch = await BulkEnrollmentBatch.FromZipUploadAsync(new MemoryStream(zip), "staff.zip");

        Assert.Equal(3, batch.Rows.Count);
        Assert.Equal(Jpeg(), await batch.ReadPhotoAsync(batch.Rows[0]));
        Assert.Equal(Jpeg(), await batch.ReadPhotoAsync(batch.Rows[1]));
        var missing = await Assert.ThrowsAsync<GalleryException>(() => batch.ReadPhotoAsync(batch.Rows[2]));
        Assert.Equal("There is no file cy.jpg in staff.zip.", missing.Message);
    }

    [Fact]
    public async Task FromZipUpload_EverythingUnderOneFolder_ThatFolderIsTheTop()
    {
        var zip = Zip(("staff/people.csv", "name,photo\nAda,photos/ada.jpg\n"u8.ToArray()), ("staff/photos/ada.jpg", Jpeg()));
        var layout = Zip(("staff/Grace_Hopper/1.jpg", Jpeg()), ("staff/Alan_Turing.jpg", Jpeg()));

        using var withCsv = await BulkEnrollmentBatch.FromZipUploadAsync(new MemoryStream(zip), "staff.zip");
        using var withoutCsv = await BulkEnrollmentBatch.FromZipUploadAsync(new MemoryStream(layout), "layout.zip");

        Assert.Equal(Jpeg(), await withCsv.ReadPhotoAsync(withCsv.Rows.Single()));
        Assert.Equal([("Alan Turing", "Alan_Turing.jpg"), ("Grace Hopper", "Grace_Hopper/1.jpg")], withoutCsv.Rows.Select(r => (r.Name, r.Photo)));
        Assert.Equal(Jpeg(), await withoutCsv.ReadPhotoAsync(withoutCsv.Rows[1]));
    }

    [Fact]
    public async Task FromZipUpload_EntryOverThePhotoLimit_RefusedBeforeUnpacking()
    {
        var zip = Zip(("Big_Person.jpg", new byte[PhotoPolicy.MaxBytes + 1]));

        using var batch = await BulkEnrollmentBatch.FromZipUploadAsync(new MemoryStream(zip), "big.zip");

        var e = await Assert.ThrowsAsync<GalleryException>(() => batch.ReadPhotoAsync(batch.Rows[0]));
        Assert.Equal(GalleryErrorKind.PhotoTooLarge, e.Kind);
        Assert.StartsWith("“Big_Person.jpg” is too large", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FromZipUpload_NotAZipOrTwoCsvsOrNoPhotos_RefusedInWords()
    {
        var notZip = await Assert.ThrowsAsync<GalleryException>(() => BulkEnrollmentBatch.FromZipUploadAsync(new MemoryStream("hello"u8.ToArray()), "x.zip"));
        var twoCsvs = await Assert.ThrowsAsync<GalleryException>(() => BulkEnrollmentBatch.FromZipUploadAsync(new MemoryStream(Zip(("a.csv", [1]), ("b.csv", [1]))), "y.zip"));
        var empty = await Assert.ThrowsAsync<GalleryException>(() => BulkEnrollmentBatch.FromZipUploadAsync(new MemoryStream(Zip(("readme.txt", [1]))), "z.zip"));

        Assert.StartsWith("“x.zip” is not a ZIP archive", notZip.Message, StringComparison.Ordinal);
        Assert.StartsWith("“y.zip” holds 2 CSV files at its top", twoCsvs.Message, StringComparison.Ordinal);
        Assert.StartsWith("z.zip holds no CSV and no JPEG or PNG photos", empty.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FromZipUpload_OverTheArchiveLimit_RefusedWhileCopying()
    {
        var e = await Assert.ThrowsAsync<GalleryException>(() => BulkEnrollmentBatch.FromZipUploadAsync(new EndlessStream(), "huge.zip"));

        Assert.Equal(GalleryErrorKind.PhotoTooLarge, e.Kind);
        Assert.StartsWith("“huge.zip” is too large; a batch is at most 100 MB (100,000,000 bytes)", e.Message, StringComparison.Ordinal);
    }

    private static byte[] Jpeg() => [0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3];

    private static byte[] Zip(params (string Name, byte[] Bytes)[] entries)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, bytes) in entries)
            {
                using var stream = zip.CreateEntry(name).Open();
                stream.Write(bytes);
            }
        }
        return buffer.ToArray();
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>A non-seekable upload that never ends (zeros), like a client streaming more than it may.</summary>
    private sealed class EndlessStream : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) { Array.Clear(buffer, offset, count); return count; }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
