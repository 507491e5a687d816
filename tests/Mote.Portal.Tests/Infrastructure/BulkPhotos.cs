using Mote.Core.Imaging;
using Mote.Core.Tests;

namespace Mote.Portal.Tests.Infrastructure;

/// <summary>
/// Photos for the bulk-enrollment tests: real LFW faces from the lfw-dev split (read in place through
/// <see cref="TestDatasets"/>, <c>$MOTE_DATASETS</c> else <c>../shared/datasets</c>; the tests that use them are
/// <c>[DatasetFact("lfw-dev")]</c>), a photo with no face and a truncated JPEG. The three LFW people were checked to pass
/// the enrollment quality gate (one frontal face each, <c>mote faces detect</c>: "quality ok").
/// </summary>
public static class BulkPhotos
{
    /// <summary>LFW identities whose first photo passes the enrollment check.</summary>
    public static readonly string[] People = ["Alex_Ferguson", "Bill_Nelson", "Alessandro_Nesta"];

    /// <summary>The path of <paramref name="identity"/>'s first lfw-dev photo.</summary>
    public static string Lfw(string identity) =>
        Path.Combine(TestDatasets.Find("lfw-dev") ?? throw new InvalidOperationException(TestDatasets.Missing("lfw-dev")), "images", identity, $"{identity}_0001.jpg");

    /// <summary>The bytes of <paramref name="identity"/>'s first lfw-dev photo.</summary>
    public static byte[] LfwBytes(string identity) => File.ReadAllBytes(Lfw(identity));

    /// <summary>A real PNG of a plain grey wall: decodes fine, holds no face.</summary>
    public static byte[] Wall() => ImageEncoding.ToPng(RgbImage.Create(320, 240, px => px.Fill(140)));

    /// <summary>The first 3,000 bytes of a real LFW JPEG: a cut-off upload the hardened decoder refuses.</summary>
    public static byte[] Truncated(string identity) => LfwBytes(identity)[..3000];
}
