namespace Mote.Core.Population.Sampling;

/// <summary>
/// A synthetic training set; every vector is L2-normalised. Group arrays are parallel to the vectors
/// (the reference's entry in <see cref="PositiveGroups"/> is null).
/// </summary>
public sealed record TrainingSet(float[][] Positives, DemographicGroup?[] PositiveGroups, float[][] Negatives, DemographicGroup[] NegativeGroups);
