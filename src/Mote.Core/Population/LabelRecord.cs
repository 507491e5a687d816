namespace Mote.Core.Population;

/// <summary>
/// One labelled face image: where it is, whose it is (null where the dataset has no identities) and its demographic
/// labels (null where unknown).
/// </summary>
public sealed record LabelRecord(
    string Dataset,
    string ImagePath,
    string? Identity,
    Gender? Gender,
    Ethnicity? Ethnicity,
    AgeBand? AgeBand);
