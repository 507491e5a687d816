using Mote.Core.Models;

namespace Mote.Core.Tests.Models;

public sealed class PackageArchiveTests
{
    [Fact]
    public void VerifyIntegrity_WrongHash_ThrowsNamingPackageAndBothHashes()
    {
        using var temp = new TempDirectory();
        var tarball = new TestTarball().File("package/package.json", "{}").WriteTo(temp.Combine("fake.tgz"));
        var actual = PackageArchive.ComputeSha512(tarball);

        var e = Assert.Throws<PackageIntegrityException>(() => PackageArchive.VerifyIntegrity(tarball, PinnedPackages.FaceApi));

        Assert.Contains("@vladmandic/face-api@1.7.15", e.Message, StringComparison.Ordinal);
        Assert.Contains(actual, e.Message, StringComparison.Ordinal);
        Assert.Contains(PinnedPackages.FaceApi.Sha512, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void VerifyIntegrity_MatchingHash_Passes()
    {
        using var temp = new TempDirectory();
        var tarball = new TestTarball().File("package/a.txt", "a").WriteTo(temp.Combine("p.tgz"));
        var pinned = new PinnedPackage("p", "1.0.0", PackageArchive.ComputeSha512(tarball));

        PackageArchive.VerifyIntegrity(tarball, pinned);
    }

    [Fact]
    public void Extract_RegularFilesAndDirectories_WritesThemUnderPackageRoot()
    {
        using var temp = new TempDirectory();
        var tarball = new TestTarball()
            .Directory("package/")
            .File("package/package.json", "{\"name\":\"p\"}")
            .File("package/model/w.bin", "weights")
            .WriteTo(temp.Combine("p.tgz"));

        var root = PackageArchive.Extract(tarball, temp.Combine("out"), maxBytes: 1000);

        Assert.Equal(temp.Combine("out", "package"), root);
        Assert.Equal("{\"name\":\"p\"}", File.ReadAllText(Path.Combine(root, "package.json")));
        Assert.Equal("weights", File.ReadAllText(Path.Combine(root, "model", "w.bin")));
    }

    [Theory]
    [InlineData("package/../../escaped.txt")]
    [InlineData("../escaped.txt")]
    [InlineData("package/sub/../../../escaped.txt")]
    public void Extract_DotDotEntry_RefusedAndNothingWrittenOutside(string name)
    {
        using var temp = new TempDirectory();
        var tarball = new TestTarball().File("package/ok.txt", "ok").File(name, "evil").WriteTo(temp.Combine("evil.tgz"));

        var e = Assert.Throws<UnsafeArchiveException>(() => PackageArchive.Extract(tarball, temp.Combine("a", "out"), 1000));

        Assert.Contains(name, e.Message, StringComparison.Ordinal);
        Assert.Contains("..", e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(temp.Combine("escaped.txt")));
        Assert.False(File.Exists(temp.Combine("a", "escaped.txt")));
    }

    [Fact]
    public void Extract_AbsolutePathEntry_Refused()
    {
        using var temp = new TempDirectory();
        var outside = temp.Combine("absolute-target.txt");
        var tarball = new TestTarball().File(outside, "evil").WriteTo(temp.Combine("evil.tgz"));

        var e = Assert.Throws<UnsafeArchiveException>(() => PackageArchive.Extract(tarball, temp.Combine("out"), 1000));

        Assert.Contains("absolute", e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(outside));
    }

    [Fact]
    public void Extract_SymbolicLink_Refused()
    {
        using var temp = new TempDirectory();
        var tarball = new TestTarball().SymbolicLink("package/link", "/etc/passwd").WriteTo(temp.Combine("link.tgz"));

        var e = Assert.Throws<UnsafeArchiveException>(() => PackageArchive.Extract(tarball, temp.Combine("out"), 1000));

        Assert.Contains("SymbolicLink", e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(temp.Combine("out", "package", "link")));
    }

    [Fact]
    public void Extract_HardLink_Refused()
    {
        using var temp = new TempDirectory();
        var tarball = new TestTarball().File("package/a", "a").HardLink("package/b", "package/a").WriteTo(temp.Combine("hard.tgz"));

        Assert.Throws<UnsafeArchiveException>(() => PackageArchive.Extract(tarball, temp.Combine("out"), 1000));
    }

    [Fact]
    public void Extract_DeviceEntry_Refused()
    {
        using var temp = new TempDirectory();
        var tarball = new TestTarball().CharacterDevice("package/null").WriteTo(temp.Combine("dev.tgz"));

        var e = Assert.Throws<UnsafeArchiveException>(() => PackageArchive.Extract(tarball, temp.Combine("out"), 1000));

        Assert.Contains("CharacterDevice", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Extract_TotalSizeOverCap_Refused()
    {
        using var temp = new TempDirectory();
        var tarball = new TestTarball()
            .File("package/a.bin", new string('a', 600))
            .File("package/b.bin", new string('b', 600))
            .WriteTo(temp.Combine("big.tgz"));

        var e = Assert.Throws<UnsafeArchiveException>(() => PackageArchive.Extract(tarball, temp.Combine("out"), maxBytes: 1000));

        Assert.Contains("1000-byte cap", e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(temp.Combine("out", "package", "b.bin")));
    }

    [Fact]
    public void Extract_NotGzip_ThrowsProvisioningError()
    {
        using var temp = new TempDirectory();
        var path = temp.Combine("junk.tgz");
        File.WriteAllText(path, "this is not a tarball");

        var e = Assert.Throws<ModelProvisioningException>(() => PackageArchive.Extract(path, temp.Combine("out"), 1000));

        Assert.Contains("junk.tgz", e.Message, StringComparison.Ordinal);
    }
}
