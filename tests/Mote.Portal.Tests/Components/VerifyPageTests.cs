using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.Extensions.DependencyInjection;
using Mote.Core.Faces;
using Mote.Gallery.Audit;
using Mote.Gallery.Data;
using Mote.Gallery.Decisions;
using Mote.Gallery.Hosting;
using Mote.Gallery.People;
using Mote.Gallery.Security;
using Mote.Portal.Components;
using Mote.Portal.Components.Pages.Verify;
using Mote.Portal.Services;
using Mote.Portal.Tests.Infrastructure;
using MudBlazor;

namespace Mote.Portal.Tests.Components;

/// <summary>The verify page's logic with the real use cases on a temporary Gallery: upload checks, results, permissions.</summary>
public sealed class VerifyPageTests : GalleryBunitContext
{
    private static readonly byte[] Gif = [0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 1, 0, 1, 0, 0, 0];

    [Fact]
    public async Task VerifyPage_Operator_ShowsBothTabsWithUploadAndPicker()
    {
        await GalleryDatabase.MigrateAsync(Services);
        SignInAs(Roles.Operator);

        var cut = RenderAt("verify");

        cut.WaitForElement("[data-testid=verify-tabs]", TimeSpan.FromSeconds(15));
        Assert.Contains("1:1 verify", cut.Markup, StringComparison.Ordinal);
        Assert.Contains("1:N identify", cut.Markup, StringComparison.Ordinal);
        Assert.NotEmpty(cut.FindAll("[data-testid=verify-panel] input[type=file]"));
        Assert.False(cut.Find("[data-testid=person-picker] input").HasAttribute("disabled"));
    }

    [Fact]
    public void VerifyPage_Auditor_RendersNotAuthorizedAndNoVerifyControls()
    {
        SignInAs(Roles.Auditor);

        var cut = RenderAt("verify");

        cut.WaitForAssertion(() => Assert.Contains("Not authorized", cut.Find("[data-testid=not-authorized]").TextContent, StringComparison.Ordinal));
        Assert.Empty(cut.FindAll("[data-testid=verify-tabs]"));
        Assert.Empty(cut.FindAll("input[type=file]"));
        Assert.Empty(cut.FindAll("[data-testid=run-verify]"));
    }

    [Fact]
    public async Task Identify_GifUploaded_RefusedInWordsAndNoDecisionStored()
    {
        await GalleryDatabase.MigrateAsync(Services);
        SignInAs(Roles.Operator);
        var cut = Render<VerifyPage>();
        OpenIdentifyTab(cut);

        cut.FindComponents<InputFile>().Last().UploadFiles(InputFileContent.CreateFromBinary(Gif, "cat.gif"));
        cut.Find("[data-testid=run-identify]").Click();

        cut.WaitForAssertion(() => Assert.Equal("“cat.gif” is a GIF image; only PNG and JPEG are accepted.", cut.Find("[data-testid=identify-error]").TextContent.Trim()));
        Assert.Empty(cut.FindAll("[data-testid=identification-result]"));
        Assert.Equal(0, await CountAsync(db => db.Decisions.Count()));
        Assert.Equal(0, await CountAsync(db => db.AuditEvents.Count(e => e.Code == (int)AuditEventCode.ProbeIdentified)));
    }

    [Fact]
    public async Task Identify_OverTenMegabytes_RefusedBeforeAnyDecision()
    {
        await GalleryDatabase.MigrateAsync(Services);
        SignInAs(Roles.Operator);
        var cut = Render<VerifyPage>();
        OpenIdentifyTab(cut);
        var big = new byte[12_000_000];
        big[0] = 0xFF;
        big[1] = 0xD8;
        big[2] = 0xFF;

        cut.FindComponents<InputFile>().Last().UploadFiles(InputFileContent.CreateFromBinary(big, "huge.jpg"));
        cut.Find("[data-testid=run-identify]").Click();

        cut.WaitForAssertion(() => Assert.Equal("“huge.jpg” is too large: 12.0 MB (12,000,000 bytes); the limit is 10 MB (10,000,000 bytes).", cut.Find("[data-testid=identify-error]").TextContent.Trim()));
        Assert.Equal(0, await CountAsync(db => db.Decisions.Count()));
    }

    [Fact]
    public async Task Verify_NoPersonOrNoProbe_SaysWhatIsMissing()
    {
        await GalleryDatabase.MigrateAsync(Services);
        SignInAs(Roles.Operator);
        var cut = Render<VerifyPage>();
        cut.WaitForAssertion(() => Assert.False(cut.Find("[data-testid=run-verify]").HasAttribute("disabled")));

        cut.Find("[data-testid=run-verify]").Click();
        cut.WaitForAssertion(() => Assert.Equal("Pick the person to verify against.", cut.Find("[data-testid=verify-error]").TextContent.Trim()));

        OpenIdentifyTab(cut);
        cut.Find("[data-testid=run-identify]").Click();
        cut.WaitForAssertion(() => Assert.Equal("Choose or drop a probe photo (PNG or JPEG, at most 10 MB).", cut.Find("[data-testid=identify-error]").TextContent.Trim()));
    }

    [Fact]
    public async Task VerifyForm_AuditorCallingIdentify_RefusedByTheUseCaseItself()
    {
        await GalleryDatabase.MigrateAsync(Services);
        SignInAs(Roles.Auditor);
        var form = new VerifyForm(Services.GetRequiredService<VerifyProbe>(), Services.GetRequiredService<IdentifyProbe>(),
            Services.GetRequiredService<ListPeople>(), Services.GetRequiredService<CurrentActor>(), Services.GetRequiredService<AnalyzeProbe>());
        await form.InitializeAsync();

        await form.IdentifyAsync(new BytesFile("probe.png", [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0]));

        Assert.False(form.CanVerify);
        Assert.False(form.CanIdentify);
        Assert.Contains("needs the 'Identify' permission", form.Error, StringComparison.Ordinal);
        Assert.Null(form.Identification);
        Assert.Equal(0, await CountAsync(db => db.Decisions.Count()));
    }

    [Fact]
    public async Task PersonSearch_ByPartOfName_OffersMatchingPeopleOnly()
    {
        await GalleryDatabase.MigrateAsync(Services);
        await SeedPeopleAsync("Ada Lovelace", "Alan Turing", "Grace Hopper");
        SignInAs(Roles.Operator);
        var form = new VerifyForm(Services.GetRequiredService<VerifyProbe>(), Services.GetRequiredService<IdentifyProbe>(),
            Services.GetRequiredService<ListPeople>(), Services.GetRequiredService<CurrentActor>(), Services.GetRequiredService<AnalyzeProbe>());

        var found = (await form.SearchPeopleAsync("a", CancellationToken.None)).Select(p => p.Name).ToArray();
        var hop = (await form.SearchPeopleAsync("HOP", CancellationToken.None)).Select(p => p.Name).ToArray();

        Assert.Equal(["Ada Lovelace", "Alan Turing", "Grace Hopper"], found);
        Assert.Equal(["Grace Hopper"], hop);
    }

    [Fact]
    public void VerificationResultCard_Match_ShowsDecisionScoreThresholdTimeAndId()
    {
        var cut = Render<VerificationResultCard>(p => p.Add(c => c.Result,
            new VerificationResult("d-123", "p-1", "Ada Lovelace", 0.8123f, 0.4567f, true, TimeSpan.FromMilliseconds(231.6))));

        Assert.Equal("match", cut.Find("[data-testid=verification-result]").GetAttribute("data-decision"));
        Assert.Equal("Match", cut.Find("[data-testid=decision]").TextContent.Trim());
        Assert.Contains("mud-success-text", cut.Find("[data-testid=decision]").ClassName, StringComparison.Ordinal);
        Assert.Contains("accepted as Ada Lovelace", cut.Markup.Replace("<b>", "", StringComparison.Ordinal).Replace("</b>", "", StringComparison.Ordinal), StringComparison.Ordinal);
        // Without a reading (a result built by hand) the score is written as log-odds: ln(0.8123/0.1877) = 1.465.
        Assert.Equal("log-odds +1.5", cut.Find("[data-testid=score]").TextContent);
        Assert.Equal("log-odds \u22120.2", cut.Find("[data-testid=threshold]").TextContent);
        Assert.Equal("232 ms", cut.Find("[data-testid=duration]").TextContent);
        Assert.Equal("d-123", cut.Find("[data-testid=decision-id]").TextContent);
    }

    [Fact]
    public void VerificationResultCard_NoMatch_ShowsNoMatchInErrorColour()
    {
        var cut = Render<VerificationResultCard>(p => p.Add(c => c.Result,
            new VerificationResult("d-9", "p-1", "Ada Lovelace", 0.12f, 0.4567f, false, TimeSpan.FromMilliseconds(80))));

        Assert.Equal("no-match", cut.Find("[data-testid=verification-result]").GetAttribute("data-decision"));
        Assert.Equal("No match", cut.Find("[data-testid=decision]").TextContent.Trim());
        Assert.Contains("mud-error-text", cut.Find("[data-testid=decision]").ClassName, StringComparison.Ordinal);
        Assert.Contains("below their threshold", cut.Markup, StringComparison.Ordinal);
        Assert.Equal("log-odds \u22122.0", cut.Find("[data-testid=score]").TextContent);
    }

    [Fact]
    public void VerificationResultCard_TinyThresholdAndSaturatedScore_ReadableNeverScientificNorZero()
    {
        var cut = Render<VerificationResultCard>(p => p.Add(c => c.Result,
            new VerificationResult("d-10", "p-1", "Ada Lovelace", 0.99991f, 2.3e-5f, true, TimeSpan.FromMilliseconds(80))));

        Assert.Equal("log-odds \u221210.7", cut.Find("[data-testid=threshold]").TextContent);
        Assert.Equal("log-odds +9.3", cut.Find("[data-testid=score]").TextContent);
    }

    [Fact]
    public void VerificationResultCard_WithCalibratedReading_ShowsTheExpectedFalseMatchRate()
    {
        var cut = Render<VerificationResultCard>(p => p.Add(c => c.Result,
            new VerificationResult("d-11", "p-1", "Ada Lovelace", 0.99f, 0.92f, true, TimeSpan.FromMilliseconds(80),
                new ScoreReading(4.6, 1e-5, true, "female"), new ScoreReading(2.44, 1e-3, false, "female"))));

        Assert.Equal("expected false-match rate \u2264 0.0010 % (1 in 100,000) \u00b7 log-odds +4.6", cut.Find("[data-testid=score]").TextContent);
        Assert.Equal("expected false-match rate 0.10 % (1 in 1,000) \u00b7 log-odds +2.4", cut.Find("[data-testid=threshold]").TextContent);
        Assert.DoesNotContain("E-", cut.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public void IdentificationResultCard_Matches_ListsTopKBestFirst()
    {
        var cut = Render<IdentificationResultCard>(p => p.Add(c => c.Result, new IdentificationOutcome("d-7",
            [new IdentificationMatch("p-2", "Grace Hopper", 0.91f, 0.5f), new IdentificationMatch("p-1", "Ada Lovelace", 0.62f, 0.55f)], 40, TimeSpan.FromMilliseconds(12), [])));

        Assert.Equal("Match: Grace Hopper", cut.Find("[data-testid=decision]").TextContent.Trim());
        var rows = cut.FindAll("[data-testid=candidates] tbody tr");
        Assert.Equal(2, rows.Count);
        Assert.Equal(["1", "Grace Hopper", "log-odds +2.3", "log-odds 0.0"], rows[0].QuerySelectorAll("td").Select(td => td.TextContent).ToArray());
        Assert.Equal(["2", "Ada Lovelace", "log-odds +0.5", "log-odds +0.2"], rows[1].QuerySelectorAll("td").Select(td => td.TextContent).ToArray());
        Assert.Contains("2 of 40 enrolled people", cut.Markup, StringComparison.Ordinal);
        Assert.Empty(cut.FindAll("[data-testid=no-match]"));
        Assert.Equal("d-7", cut.Find("[data-testid=decision-id]").TextContent);
    }

    [Fact]
    public async Task VerifyPage_GroupPhoto_FacePickerBoxesEveryFacePresetsLargestUsableAndPicksByClick()
    {
        await GalleryDatabase.MigrateAsync(Services);
        SignInAs(Roles.Operator);
        var cut = Render<VerifyPage>();
        cut.WaitForAssertion(() => Assert.False(cut.Find("[data-testid=run-verify]").HasAttribute("disabled")));

        // sample2.jpg, largest first: #1 usable, #2 turned about 69° away (refused), #3 usable (the real engine decides).
        cut.FindComponents<InputFile>().First().UploadFiles(InputFileContent.CreateFromBinary(await DemoPhotos.ReadAsync("sample2.jpg"), "sample2.jpg", contentType: "image/jpeg"));

        cut.WaitForElement("[data-testid=verify-face-picker]", TimeSpan.FromMinutes(2));
        var boxes = cut.FindAll("[data-testid=face-box]");
        Assert.Equal(3, boxes.Count);
        Assert.Equal(["true", "false", "true"], boxes.Select(b => b.GetAttribute("data-accepted")));
        Assert.Equal(["true", "false", "false"], boxes.Select(b => b.GetAttribute("data-selected")));
        Assert.Contains("face #1 (blue) will be verified", cut.Find("[data-testid=verify-face-hint]").TextContent, StringComparison.Ordinal);

        cut.Find("[data-testid=face-box][data-face='2']").Click();

        cut.WaitForAssertion(() => Assert.Equal(["false", "false", "true"], cut.FindAll("[data-testid=face-box]").Select(b => b.GetAttribute("data-selected"))));
        Assert.Contains("face #3 (blue) will be verified", cut.Find("[data-testid=verify-face-hint]").TextContent, StringComparison.Ordinal);
        Assert.Equal(0, await CountAsync(db => db.Decisions.Count()));
    }

    [Fact]
    public void VerificationResultCard_WithFace_ShowsTheBoxItUsed()
    {
        var cut = Render<VerificationResultCard>(p => p.Add(c => c.Result,
            new VerificationResult("d-12", "p-1", "Ada Lovelace", 0.99f, 0.5f, true, TimeSpan.FromMilliseconds(80), Face: new DecidedFace(2, new FaceBox(1459.3, 201.2, 197.4, 198.1), 3))));

        Assert.Equal("face #3 of 3, at 1459, 201 (197 × 198 px)", cut.Find("[data-testid=face-used]").TextContent);
    }

    [Fact]
    public void IdentificationResultCard_SeveralFaces_ListsEveryFaceWithItsOwnOutcome()
    {
        IdentifiedFace Face(int i, bool usable, string? id, params IdentificationMatch[] matches) =>
            new(new DecidedFace(i, new FaceBox(100 * i, 50, 90, 90), 3), usable, usable ? [] : ["face turned too far sideways: about 69° yaw, at most 45° allowed"], id, matches);
        var gus = new IdentificationMatch("p-1", "Gus Group", 0.9f, 0.5f);
        var cut = Render<IdentificationResultCard>(p => p.Add(c => c.Result, new IdentificationOutcome("d-1", [gus], 40, TimeSpan.FromMilliseconds(12),
            [Face(0, true, "d-1", gus), Face(1, false, null), Face(2, true, "d-2")])));

        Assert.Equal("Match: Gus Group", cut.Find("[data-testid=decision]").TextContent.Trim());
        Assert.Equal("face #1 of 3, at 0, 50 (90 × 90 px)", cut.Find("[data-testid=face-used]").TextContent);
        var rows = cut.FindAll("[data-testid=face-row]");
        Assert.Equal(["match", "unusable", "no-match"], rows.Select(r => r.GetAttribute("data-status")));
        Assert.Contains("Not usable: face turned too far sideways: about 69° yaw", rows[1].TextContent, StringComparison.Ordinal);
        Assert.Contains("d-2", rows[2].TextContent, StringComparison.Ordinal);
        Assert.Empty(rows[1].QuerySelectorAll("code"));
    }

    [Fact]
    public void IdentificationResultCard_NobodyPasses_SaysNoMatchWithoutATable()
    {
        var cut = Render<IdentificationResultCard>(p => p.Add(c => c.Result, new IdentificationOutcome("d-8", [], 40, TimeSpan.FromMilliseconds(12), [])));

        Assert.Equal("no-match", cut.Find("[data-testid=identification-result]").GetAttribute("data-decision"));
        Assert.Equal("No match", cut.Find("[data-testid=decision]").TextContent.Trim());
        Assert.Contains("Nobody among the 40 enrolled people", cut.Find("[data-testid=no-match]").TextContent, StringComparison.Ordinal);
        Assert.Empty(cut.FindAll("[data-testid=candidates]"));
    }

    private static void OpenIdentifyTab(IRenderedComponent<VerifyPage> cut)
    {
        cut.WaitForElement("[data-testid=verify-tabs]", TimeSpan.FromSeconds(15));
        cut.FindAll(".mud-tab").Single(t => t.TextContent.Contains("1:N identify", StringComparison.Ordinal)).Click();
        cut.WaitForAssertion(() => Assert.False(cut.Find("[data-testid=run-identify]").HasAttribute("disabled")));
    }

    private IRenderedComponent<Routes> RenderAt(string relativeUrl)
    {
        Services.GetRequiredService<NavigationManager>().NavigateTo(relativeUrl);
        return Render<Routes>();
    }

    private async Task<int> CountAsync(Func<MoteDbContext, int> count)
    {
        var scope = Services.CreateAsyncScope();
        await using (scope)
        {
            return count(scope.ServiceProvider.GetRequiredService<MoteDbContext>());
        }
    }

    private async Task SeedPeopleAsync(params string[] names)
    {
        var scope = Services.CreateAsyncScope();
        await using (scope)
        {
            var db = scope.ServiceProvider.GetRequiredService<MoteDbContext>();
            foreach (var name in names)
            {
                db.People.Add(new Person
                {
                    Id = Guid.NewGuid().ToString(), Name = name, NormalizedName = name.ToUpperInvariant(),
                    BalanceJson = """{"negatives":{"female":1},"variation":{"female":1}}""", TemplateKind = Mote.Core.Templates.TemplateKind.Model, TemplateBlob = [1],
                    TemplateBytes = 100, BackboneId = "dlib-resnet", BackboneHash = "x", PopulationPackId = "p", Threshold = 0.5f,
                    EnrolledUtc = DateTimeOffset.UtcNow, ConcurrencyStamp = Guid.NewGuid().ToString("N"),
                });
            }
            await db.SaveChangesAsync();
        }
    }

    /// <summary>An uploaded file held in memory, for calling the form without rendering.</summary>
    private sealed class BytesFile(string name, byte[] bytes) : IBrowserFile
    {
        public string Name => name;

        public DateTimeOffset LastModified => DateTimeOffset.UnixEpoch;

        public long Size => bytes.Length;

        public string ContentType => "image/png";

        public Stream OpenReadStream(long maxAllowedSize = 512000, CancellationToken cancellationToken = default) =>
            bytes.Length > maxAllowedSize ? throw new IOException("too large") : new MemoryStream(bytes);
    }
}
