using System.Text;
using System.Text.Json;
using Json.Schema;
using Mote.Gallery.Fairness;
using Mote.Gallery.People;
using Mote.Gallery.Reports;
using Mote.Gallery.Security;
using Mote.Gallery.Settings;
using Mote.Gallery.Tests.Builders;
using Mote.Gallery.Tests.People;
using Xunit.Abstractions;

namespace Mote.Gallery.Tests.Reports;

/// <summary>
/// The report's gallery risk on real enrolled people (real engine, model pack loaded in this process): the figures are
/// AssessGalleryRisk's own at the saved limit, as counts and worst groups, in the JSON and the PDF, without names.
/// </summary>
public sealed class ComplianceReportGalleryRiskTests(EngineGallery gallery, ITestOutputHelper output) : IClassFixture<EngineGallery>
{
    private GalleryTestDatabase Db => gallery.Db;

    [Fact]
    public async Task Export_EnrolledPeople_GalleryRiskIsTheAssessmentsAtTheSavedLimit_CountsAndWorstGroupsOnly()
    {
        foreach (var (name, photo, seed) in new[] { ("Report Risk Alice", "sample1.jpg", 21L), ("Report Risk Bob", "sample2.jpg", 22L) })
        {
            var face = gallery.EnrollableFace(photo);
            await Db.InScopeAsync<EnrollPerson, EnrollmentResult>(e => e.ExecuteAsync(Actors.Admin, new EnrollmentRequest(name, gallery.Photo(photo), face, Seed: seed)));
        }
        // The lowest limit an administrator can save (1× the target), so the worst groups have people above it to count.
        var opened = await Db.InScopeAsync<ReadGallerySettings, GallerySettingsView>(r => r.ExecuteAsync(Actors.Admin));
        await Db.InScopeAsync<UpdateGallerySettings, GallerySettingsView>(u => u.ExecuteAsync(Actors.Admin,
            new GallerySettingsChange(opened.ReferenceRetention, opened.KeepProbeImages, opened.TargetFmr, opened.ConcurrencyStamp, RiskLimitMultiple: 1)));
        var expected = await Db.InScopeAsync<AssessGalleryRisk, GalleryRiskReport>(a => a.ExecuteAsync(Actors.Auditor, new GalleryRiskRequest()));

        using var json = new MemoryStream();
        await Db.InScopeAsync<ExportComplianceReport, ReportExportResult>(e => e.ExecuteAsync(Actors.Auditor, "json", json));
        var file = Path.Combine(Path.GetTempPath(), $"mote-report-{Guid.NewGuid():N}.pdf");
        try
        {
            await using (var stream = File.Create(file))
            {
                await Db.InScopeAsync<ExportComplianceReport, ReportExportResult>(e => e.ExecuteAsync(Actors.Auditor, "pdf", stream));
            }

            var text = Encoding.UTF8.GetString(json.ToArray());
            using var doc = JsonDocument.Parse(text);
            Assert.True(ExportComplianceReportTests.Schema.Value.Evaluate(doc.RootElement).IsValid);
            var risk = doc.RootElement.GetProperty("report").GetProperty("gallery").GetProperty("risk");
            Assert.True(risk.GetProperty("assessed").GetBoolean());
            Assert.Equal(1, risk.GetProperty("limitMultiple").GetDouble());
            Assert.False(risk.GetProperty("limitIsDefault").GetBoolean());
            Assert.Equal(expected.Limit, risk.GetProperty("limit").GetDouble(), 12);
            Assert.Equal(2, risk.GetProperty("peopleAssessed").GetInt32());
            Assert.Equal(expected.FlaggedCount, risk.GetProperty("peopleAboveLimit").GetInt32());
            var worst = risk.GetProperty("worstGroups").EnumerateArray().ToArray();
            Assert.InRange(worst.Length, 1, GalleryRiskFigures.WorstGroupCount);
            // Each listed group's figures are the assessment's rates against that group; most people above the limit first.
            foreach (var w in worst)
            {
                var group = w.GetProperty("group").GetString()!;
                var rates = expected.People.Select(p => p.Groups.Single(g => g.Group == group).Fmr).ToArray();
                Assert.Equal(rates.Count(r => r > expected.Limit), w.GetProperty("peopleAboveLimit").GetInt32());
                Assert.Equal(rates.Max(), w.GetProperty("maxFmr").GetDouble(), 12);
                Assert.Equal(rates.Average(), w.GetProperty("meanFmr").GetDouble(), 12);
            }
            var above = worst.Select(w => w.GetProperty("peopleAboveLimit").GetInt32()).ToArray();
            Assert.Equal(above.OrderByDescending(x => x), above);
            Assert.DoesNotContain("Report Risk", text, StringComparison.Ordinal);

            var pdf = string.Join(' ', ExportComplianceReportTests.PdfText(file).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
            var start = pdf.IndexOf("Gallery risk (synthetic impostors)", StringComparison.Ordinal);
            Assert.True(start >= 0, "no gallery-risk subsection in the PDF");
            output.WriteLine(pdf[start..Math.Min(pdf.Length, start + 900)]);
            Assert.Contains($"{expected.FlaggedCount} of 2 assessed people accept more than 0.1 % (1× the target FMR)", pdf, StringComparison.Ordinal);
            Assert.Contains($"{worst[0].GetProperty("group").GetString()}: {above[0]} {(above[0] == 1 ? "person" : "people")} above the limit", pdf, StringComparison.Ordinal);
            Assert.DoesNotContain("Report Risk", pdf, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
