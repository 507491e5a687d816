using System.Diagnostics.CodeAnalysis;

namespace Mote.Core.Population;

/// <summary>Which demographic dimensions a grouping uses.</summary>
[Flags]
public enum GroupDimensions
{
    /// <summary>No dimension: one group holding everyone.</summary>
    None = 0,
    /// <summary>Split by gender.</summary>
    Gender = 1,
    /// <summary>Split by ethnicity.</summary>
    Ethnicity = 2,
    /// <summary>Split by age band.</summary>
    AgeBand = 4,
    /// <summary>Split by all three dimensions.</summary>
    All = Gender | Ethnicity | AgeBand,
}

/// <summary>
/// A demographic group: a combination of gender, ethnicity and age band where each part may be absent (not used by
/// the grouping). Its stable id joins the present parts in the fixed order gender|ethnicity|age band, e.g.
/// <c>female</c>, <c>male|white|18-59</c>, <c>asian|60+</c>; the group with no parts is <c>all</c>.
/// Value equality; immutable.
/// </summary>
public sealed record DemographicGroup(Gender? Gender, Ethnicity? Ethnicity, AgeBand? AgeBand)
{
    /// <summary>The id of the group with no parts (everyone).</summary>
    public const string AllId = "all";

    /// <summary>The group with no parts (everyone).</summary>
    public static DemographicGroup All { get; } = new(null, null, null);

    /// <summary>The dimensions this group fixes.</summary>
    public GroupDimensions Dimensions =>
        (Gender is null ? GroupDimensions.None : GroupDimensions.Gender)
        | (Ethnicity is null ? GroupDimensions.None : GroupDimensions.Ethnicity)
        | (AgeBand is null ? GroupDimensions.None : GroupDimensions.AgeBand);

    /// <summary>The stable id, e.g. <c>male|white|18-59</c>.</summary>
    public string Id
    {
        get
        {
            var parts = new List<string>(3);
            if (Gender is { } g)
            {
                parts.Add(g.ToId());
            }
            if (Ethnicity is { } e)
            {
                parts.Add(e.ToId());
            }
            if (AgeBand is { } a)
            {
                parts.Add(a.ToId());
            }
            return parts.Count == 0 ? AllId : string.Join('|', parts);
        }
    }

    /// <inheritdoc />
    public override string ToString() => Id;

    /// <summary>Parses a group id; throws <see cref="UnknownGroupException"/> naming the id and the bad part.</summary>
    public static DemographicGroup Parse(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        if (!TryParse(id, out var group, out var error))
        {
            throw new UnknownGroupException(id, error);
        }
        return group;
    }

    /// <summary>Parses a group id; <c>false</c> for anything that <see cref="Parse"/> would refuse.</summary>
    public static bool TryParse(string? id, [NotNullWhen(true)] out DemographicGroup? group) => TryParse(id, out group, out _);

    private static bool TryParse(string? id, [NotNullWhen(true)] out DemographicGroup? group, out string error)
    {
        group = null;
        if (string.IsNullOrEmpty(id))
        {
            error = "the id is empty";
            return false;
        }
        if (id == AllId)
        {
            group = All;
            error = "";
            return true;
        }
        Gender? gender = null;
        Ethnicity? ethnicity = null;
        AgeBand? band = null;
        // Order rank: 0 gender, 1 ethnicity, 2 age band; parts must appear in that order, each at most once, so
        // every group has exactly one id.
        var lastRank = -1;
        foreach (var part in id.Split('|'))
        {
            int rank;
            if (DemographicVocabulary.TryParseGender(part, out var g))
            {
                rank = 0;
                gender = g;
            }
            else if (DemographicVocabulary.TryParseEthnicity(part, out var e))
            {
                rank = 1;
                ethnicity = e;
            }
            else if (DemographicVocabulary.TryParseAgeBand(part, out var a))
            {
                rank = 2;
                band = a;
            }
            else
            {
                error = $"'{part}' is not a known gender ({string.Join(", ", DemographicVocabulary.GenderIds)}), "
                    + $"ethnicity ({string.Join(", ", DemographicVocabulary.EthnicityIds)}) or age band "
                    + $"({string.Join(", ", DemographicVocabulary.AgeBandIds)})";
                return false;
            }
            if (rank <= lastRank)
            {
                error = $"'{part}' is repeated or out of order (the order is gender|ethnicity|age band)";
                return false;
            }
            lastRank = rank;
        }
        group = new DemographicGroup(gender, ethnicity, band);
        error = "";
        return true;
    }

    /// <summary>
    /// The group of a labelled record under a grouping, or <c>null</c> when the record lacks a label the grouping
    /// needs (it then belongs to no group of that grouping).
    /// </summary>
    public static DemographicGroup? Of(LabelRecord record, GroupDimensions dimensions)
    {
        ArgumentNullException.ThrowIfNull(record);
        var useGender = dimensions.HasFlag(GroupDimensions.Gender);
        var useEthnicity = dimensions.HasFlag(GroupDimensions.Ethnicity);
        var useAge = dimensions.HasFlag(GroupDimensions.AgeBand);
        if ((useGender && record.Gender is null) || (useEthnicity && record.Ethnicity is null) || (useAge && record.AgeBand is null))
        {
            return null;
        }
        return new DemographicGroup(
            useGender ? record.Gender : null,
            useEthnicity ? record.Ethnicity : null,
            useAge ? record.AgeBand : null);
    }
}
