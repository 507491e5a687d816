using Mote.Core.Tests;
using Mote.Gallery.Decisions;
using Mote.Gallery.People;
using Mote.Gallery.Tests.Builders;
using Xunit.Abstractions;

namespace Mote.Gallery.Tests.People;

/// <summary>
/// On real LFW identities (when <c>../shared/datasets/lfw-dev</c> is present): each person's second photo
/// should pass their model-template's threshold and other people's photos should not. The bounds are what a working
/// default must reach, from the full lfw-dev run (docs/evaluation.md: 16.8 % of genuine attempts rejected at the promised
/// 0.1 % false-match rate): at least 9 of 12 second photos accepted (10 expected), and no stranger among 12 (one would be
/// a 1-in-100 event at the promised rate). Measured 2026-12-06: 11 of 12 second photos accepted (Alexandra_Stevenson's
/// rejected at 0.273 against 0.948), 0 of 12 strangers.
/// </summary>
public sealed class LfwVerificationRateTests(EngineGallery gallery, ITestOutputHelper output) : IClassFixture<EngineGallery>
{
    private const int People = 12;

    [DatasetFact("lfw-dev")]
    public async Task SecondPhoto_PassesOwnTemplate_AtTheMeasuredRate_NoStrangerDoes()
    {
        var images = Path.Combine(TestDatasets.Find("lfw-dev")!, "images");
        var identities = Directory.GetDirectories(images)
            .Select(d => (Name: Path.GetFileName(d), Files: Directory.GetFiles(d, "*.jpg").Order(StringComparer.Ordinal).ToArray()))
            .Where(i => i.Files.Length >= 2)
            .OrderBy(i => i.Name, StringComparer.Ordinal)
            .Where((_, k) => k % 40 == 0) // spread over the alphabet, deterministic
            .ToArray();
        var enrolled = new List<(string Name, string[] Files)>();
        var refused = 0;
        foreach (var (name, files) in identities)
        {
            if (enrolled.Count == People)
            {
                break;
            }
            try
            {
                await gallery.Db.InScopeAsync<EnrollPerson, EnrollmentResult>(e => e.ExecuteAsync(Actors.Admin, new EnrollmentRequest(name, File.ReadAllBytes(files[0]), Seed: 1)));
                enrolled.Add((name, files));
            }
            catch (GalleryException e)
            {
                // A first photo that fails the enrollment quality check (e.g. a turned head) is refused, as it should be.
                output.WriteLine($"{name}: enrollment refused: {e.Message}");
                refused++;
            }
        }
        identities = [.. enrolled];
        output.WriteLine($"enrolled {identities.Length}, refused {refused}");

        int genuineAccepted = 0, impostorAccepted = 0, impostorTrials = 0;
        for (var i = 0; i < identities.Length; i++)
        {
            var own = await VerifyAsync(identities[i].Name, identities[i].Files[1]);
            genuineAccepted += own.Accepted ? 1 : 0;
            var other = identities[(i + 1) % identities.Length];
            var impostor = await VerifyAsync(identities[i].Name, other.Files[1]);
            impostorAccepted += impostor.Accepted ? 1 : 0;
            impostorTrials++;
            output.WriteLine($"{identities[i].Name}: own {own.Score:G3} ({(own.Accepted ? "accept" : "reject")}), {other.Name} {impostor.Score:G3} ({(impostor.Accepted ? "accept" : "reject")}), threshold {own.Threshold:G3}");
        }

        output.WriteLine($"genuine accepted {genuineAccepted}/{identities.Length}; impostors accepted {impostorAccepted}/{impostorTrials}");
        Assert.Equal(People, identities.Length);
        Assert.True(genuineAccepted >= 9, $"only {genuineAccepted}/{identities.Length} second photos passed");
        Assert.True(impostorAccepted == 0, $"{impostorAccepted}/{impostorTrials} impostor photos passed");
    }

    /// <summary>A probe the quality check refuses counts as not accepted (and is printed).</summary>
    private async Task<VerificationResult> VerifyAsync(string name, string file)
    {
        try
        {
            return await gallery.Db.InScopeAsync<VerifyProbe, VerificationResult>(v => v.ExecuteAsync(Actors.Operator, name, File.ReadAllBytes(file)));
        }
        catch (GalleryException e)
        {
            output.WriteLine($"{Path.GetFileName(file)}: probe refused: {e.Message}");
            return new VerificationResult("", "", name, float.NaN, float.NaN, false, TimeSpan.Zero);
        }
    }
}
