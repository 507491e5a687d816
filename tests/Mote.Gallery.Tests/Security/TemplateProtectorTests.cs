using Microsoft.Extensions.DependencyInjection;
using Mote.Gallery.Security;
using Mote.Gallery.Tests.Builders;

namespace Mote.Gallery.Tests.Security;

public sealed class TemplateProtectorTests
{
    private static readonly byte[] Template = [.. Enumerable.Range(0, 300).Select(i => (byte)(i * 7))];

    [Fact]
    public async Task Protect_ThenUnprotectForTheSamePerson_RoundTrips()
    {
        await using var db = await GalleryTestDatabase.CreateAsync();
        var protector = db.Services.GetRequiredService<TemplateProtector>();

        var blob = protector.Protect("person-a", "model-template", Template);

        Assert.Equal(Template, protector.Unprotect("person-a", "model-template", blob));
        Assert.Equal(-1, blob.AsSpan().IndexOf(Template.AsSpan(0, 16)));
    }

    [Fact]
    public async Task Unprotect_BlobCopiedToAnotherPerson_FailsToDecrypt()
    {
        await using var db = await GalleryTestDatabase.CreateAsync();
        var protector = db.Services.GetRequiredService<TemplateProtector>();
        var blob = protector.Protect("person-a", "model-template", Template);

        var e = Assert.Throws<TemplateIntegrityException>(() => protector.Unprotect("person-b", "model-template", blob));

        Assert.Contains("does not decrypt for this person", e.Message, StringComparison.Ordinal);
        Assert.Throws<TemplateIntegrityException>(() => protector.Unprotect("person-a", "thumbnail", blob));
    }

    [Fact]
    public async Task Unprotect_FlippedByte_FailsToDecrypt()
    {
        await using var db = await GalleryTestDatabase.CreateAsync();
        var protector = db.Services.GetRequiredService<TemplateProtector>();
        var blob = protector.Protect("person-a", "model-template", Template);
        blob[^5] ^= 1;

        Assert.Throws<TemplateIntegrityException>(() => protector.Unprotect("person-a", "model-template", blob));
    }

    [Fact]
    public async Task SecretKeyStore_KeyFileOwnerOnlyAndStableAcrossInstances()
    {
        await using var db = await GalleryTestDatabase.CreateAsync();
        var store = db.Services.GetRequiredService<SecretKeyStore>();

        var key = store.GetOrCreate("templates");
        var path = Path.Combine(store.Directory, "templates.key");

        Assert.Equal(32, key.Length);
        Assert.Equal(key, await File.ReadAllBytesAsync(path));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }
        Assert.False(store.Directory.StartsWith(Path.GetDirectoryName(db.DatabasePath)!, StringComparison.Ordinal));
    }
}
