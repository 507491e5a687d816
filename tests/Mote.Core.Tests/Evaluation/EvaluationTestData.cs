namespace Mote.Core.Tests.Evaluation;

/// <summary>
/// Builds tiny evaluation datasets by linking real photos (never copying them) out of the read-only datasets into a
/// temp folder, shared by the tests that run the whole protocol.
/// </summary>
internal static class EvaluationTestData
{
    /// <summary>Links the first photos of the first identities (with ≥ photos each, both genders) into <paramref name="root"/>/dataset.</summary>
    public static string LinkLfw(string root, string lfw, int identities, int photos)
    {
        var labels = File.ReadAllLines(Path.Combine(lfw, "labels.csv")).Skip(1)
            .Select(l => l.Split(','))
            .Where(f => int.Parse(f[1], System.Globalization.CultureInfo.InvariantCulture) >= photos && f[2].Length > 0)
            .ToArray();
        var chosen = labels.Where(f => f[2] == "female").Take(identities / 2).Concat(labels.Where(f => f[2] == "male").Take(identities - identities / 2)).ToArray();
        var dataset = Path.Combine(root, "dataset");
        var lines = new List<string> { "identity,images,gender,ethnicity" };
        foreach (var f in chosen)
        {
            var target = Directory.CreateDirectory(Path.Combine(dataset, "images", f[0])).FullName;
            foreach (var photo in Directory.GetFiles(Path.Combine(lfw, "images", f[0]), "*.jpg").Order(StringComparer.Ordinal).Take(photos))
            {
                File.CreateSymbolicLink(Path.Combine(target, Path.GetFileName(photo)), photo);
            }

            lines.Add($"{f[0]},{photos},{f[2]},{f[3]}");
        }

        File.WriteAllLines(Path.Combine(dataset, "labels.csv"), lines);
        return dataset;
    }

    /// <summary>Links <paramref name="perCell"/> UTKFace chips of each "gender,ethnicity,child|adult" cell into <paramref name="root"/>/utk.</summary>
    public static string LinkUtkCells(string root, string utk, string[] cells, int perCell)
    {
        var dataset = Path.Combine(root, "utk");
        var images = Directory.CreateDirectory(Path.Combine(dataset, "images")).FullName;
        var rows = File.ReadAllLines(Path.Combine(utk, "labels.csv")).Skip(1).Select(l => l.Split(',')).ToArray();
        var lines = new List<string> { "file,age,gender,ethnicity" };
        foreach (var cell in cells.Select(c => c.Split(',')))
        {
            var chosen = rows.Where(f => f[2] == cell[0] && f[3] == cell[1]
                && (cell[2] == "child" ? int.Parse(f[1], System.Globalization.CultureInfo.InvariantCulture) is >= 8 and < 18 : int.Parse(f[1], System.Globalization.CultureInfo.InvariantCulture) is >= 25 and < 50))
                .Take(perCell);
            foreach (var f in chosen)
            {
                File.CreateSymbolicLink(Path.Combine(images, f[0]), Path.Combine(utk, "images", f[0]));
                lines.Add(string.Join(',', f));
            }
        }

        File.WriteAllLines(Path.Combine(dataset, "labels.csv"), lines);
        return dataset;
    }
}
