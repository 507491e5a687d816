using System.Globalization;
using System.Text;

namespace Mote.Core.Population.Labels;

/// <summary>
/// Reads a dataset folder's <c>labels.csv</c> into <see cref="LabelRecord"/>s. Two layouts, told apart by the header:
/// <list type="bullet">
/// <item>LFW style <c>identity,images,gender,ethnicity</c>: one row per identity, whose images are
/// <c>images/&lt;identity&gt;/&lt;identity&gt;_NNNN.jpg</c> for NNNN = 0001…images; gender empty = unknown; ethnicity
/// in the USC SAIL vocabulary, empty or mixed (<c>a;b</c>) = unknown; no ages.</item>
/// <item>UTKFace style <c>file,age,gender,ethnicity</c>: one row per image <c>images/&lt;file&gt;</c>, no identities,
/// ethnicity in white, black, asian, indian, other.</item>
/// </list>
/// The reader does not open images. Unknown tokens, wrong column counts and bad numbers throw
/// <see cref="LabelFormatException"/> naming the file and line.
/// </summary>
public static class DatasetLabelReader
{
    /// <summary>The labels file name inside a dataset folder.</summary>
    public const string LabelsFileName = "labels.csv";

    private static readonly string[] LfwHeader = ["identity", "images", "gender", "ethnicity"];
    private static readonly string[] UtkHeader = ["file", "age", "gender", "ethnicity"];

    /// <summary>
    /// Reads <c>&lt;datasetFolder&gt;/labels.csv</c>; the dataset name in the records is the folder's name and image
    /// paths are absolute under <c>&lt;datasetFolder&gt;/images</c>.
    /// </summary>
    public static IReadOnlyList<LabelRecord> ReadFolder(string datasetFolder)
    {
        ArgumentException.ThrowIfNullOrEmpty(datasetFolder);
        var full = Path.GetFullPath(datasetFolder);
        var file = Path.Combine(full, LabelsFileName);
        if (!File.Exists(file))
        {
            throw new FileNotFoundException($"No {LabelsFileName} in dataset folder '{full}'.", file);
        }
        using var reader = new StreamReader(file, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return Read(reader, file, Path.GetFileName(full.TrimEnd(Path.DirectorySeparatorChar)), Path.Combine(full, "images"));
    }

    /// <summary>Reads a labels table from text; <paramref name="imagesRoot"/> prefixes every image path.</summary>
    public static IReadOnlyList<LabelRecord> Read(TextReader reader, string sourceName, string datasetName, string imagesRoot)
    {
        ArgumentNullException.ThrowIfNull(reader);
        using var rows = CsvTable.Read(reader, sourceName).GetEnumerator();
        if (!rows.MoveNext())
        {
            throw new LabelFormatException(sourceName, 1, "the file is empty (expected a header row)");
        }
        var header = rows.Current.Fields.Select(f => f.Trim().ToLowerInvariant()).ToArray();
        var records = new List<LabelRecord>();
        if (header.SequenceEqual(LfwHeader))
        {
            while (rows.MoveNext())
            {
                ReadLfwRow(rows.Current.Line, rows.Current.Fields, sourceName, datasetName, imagesRoot, records);
            }
        }
        else if (header.SequenceEqual(UtkHeader))
        {
            while (rows.MoveNext())
            {
                records.Add(ReadUtkRow(rows.Current.Line, rows.Current.Fields, sourceName, datasetName, imagesRoot));
            }
        }
        else
        {
            throw new LabelFormatException(sourceName, 1,
                $"unknown header '{string.Join(',', header)}' (expected '{string.Join(',', LfwHeader)}' or '{string.Join(',', UtkHeader)}')");
        }
        return records;
    }

    private static void ReadLfwRow(int line, string[] f, string source, string dataset, string root, List<LabelRecord> into)
    {
        CheckColumns(f, 4, line, source);
        var identity = f[0].Trim();
        if (identity.Length == 0 || identity.IndexOfAny(['/', '\\']) >= 0 || identity is "." or "..")
        {
            throw new LabelFormatException(source, line, $"identity '{identity}' is empty or not a plain folder name");
        }
        if (!int.TryParse(f[1].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count < 1 || count > 9999)
        {
            throw new LabelFormatException(source, line, $"image count '{f[1]}' is not a whole number from 1 to 9999");
        }
        var gender = ParseGender(f[2], line, source);
        if (!DemographicVocabulary.MapLfwEthnicity(f[3], out var ethnicity))
        {
            throw new LabelFormatException(source, line, $"ethnicity '{f[3]}' has a token outside the LFW vocabulary "
                + "(caucasian, african, eastasian, asianindian, latino, nativeamerican, pacificislander, other)");
        }
        for (var i = 1; i <= count; i++)
        {
            var path = Path.Combine(root, identity, string.Create(CultureInfo.InvariantCulture, $"{identity}_{i:D4}.jpg"));
            into.Add(new LabelRecord(dataset, path, identity, gender, ethnicity, null));
        }
    }

    private static LabelRecord ReadUtkRow(int line, string[] f, string source, string dataset, string root)
    {
        CheckColumns(f, 4, line, source);
        var file = f[0].Trim();
        if (file.Length == 0 || file.IndexOfAny(['/', '\\']) >= 0)
        {
            throw new LabelFormatException(source, line, $"file '{file}' is empty or not a plain file name");
        }
        if (!int.TryParse(f[1].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var age) || age > 150)
        {
            throw new LabelFormatException(source, line, $"age '{f[1]}' is not a whole number from 0 to 150");
        }
        var gender = ParseGender(f[2], line, source);
        Ethnicity? ethnicity = null;
        var e = f[3].Trim();
        if (e.Length > 0)
        {
            if (!DemographicVocabulary.TryParseEthnicity(e, out var parsed))
            {
                throw new LabelFormatException(source, line, $"ethnicity '{e}' is not one of {string.Join(", ", DemographicVocabulary.EthnicityIds)}");
            }
            ethnicity = parsed;
        }
        return new LabelRecord(dataset, Path.Combine(root, file), null, gender, ethnicity, DemographicVocabulary.AgeBandOf(age));
    }

    private static Gender? ParseGender(string cell, int line, string source)
    {
        var g = cell.Trim();
        if (g.Length == 0)
        {
            return null;
        }
        if (!DemographicVocabulary.TryParseGender(g, out var gender))
        {
            throw new LabelFormatException(source, line, $"gender '{g}' is not one of {string.Join(", ", DemographicVocabulary.GenderIds)} (or empty)");
        }
        return gender;
    }

    private static void CheckColumns(string[] f, int expected, int line, string source)
    {
        if (f.Length != expected)
        {
            throw new LabelFormatException(source, line, $"{f.Length} columns, expected {expected}");
        }
    }
}
