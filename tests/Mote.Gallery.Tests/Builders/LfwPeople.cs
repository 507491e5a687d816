using Mote.Core.Tests;
using Mote.Gallery.People;

namespace Mote.Gallery.Tests.Builders;

/// <summary>Real LFW identities with at least two photos (<c>$MOTE_DATASETS/lfw-dev</c>, else <c>../shared/datasets/lfw-dev</c>), enrolled from their first photo.</summary>
public static class LfwPeople
{
    /// <summary>
    /// Enrolls <paramref name="count"/> LFW identities (deterministic: every <paramref name="stride"/>-th name with two or more
    /// photos, skipping any whose first photo the quality check refuses). Returns each name with its photos.
    /// </summary>
    public static async Task<List<(string Name, string[] Files)>> EnrollAsync(GalleryTestDatabase db, int count, int stride = 37, int offset = 0)
    {
        var images = Path.Combine(TestDatasets.Find("lfw-dev") ?? throw new InvalidOperationException(TestDatasets.Missing("lfw-dev")), "images");
        var candidates = Directory.GetDirectories(images)
            .Select(d => (Name: Path.GetFileName(d).Replace('_', ' '), Files: Directory.GetFiles(d, "*.jpg").Order(StringComparer.Ordinal).ToArray()))
            .Where(i => i.Files.Length >= 2)
            .OrderBy(i => i.Name, StringComparer.Ordinal)
            .Where((_, k) => k % stride == offset);
        var enrolled = new List<(string Name, string[] Files)>();
        foreach (var candidate in candidates)
        {
            if (enrolled.Count == count)
            {
                break;
            }
            try
            {
                await db.InScopeAsync<EnrollPerson, EnrollmentResult>(e => e.ExecuteAsync(Actors.Admin, new EnrollmentRequest(candidate.Name, File.ReadAllBytes(candidate.Files[0]), Seed: 3)));
                enrolled.Add(candidate);
            }
            catch (GalleryException)
            {
                // A first photo the enrollment quality check refuses (a turned head): take the next identity.
            }
        }
        return enrolled;
    }
}
