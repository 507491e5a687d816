namespace Mote.Core.Templates;

/// <summary>
/// One demographic group's share in a person's synthetic training mix (the person's <em>balance</em>):
/// how strongly the group is represented among the negatives and among the synthetic positives' residuals.
/// Stored in the model-template for audit; the trainer itself takes the samples it is given.
/// </summary>
/// <param name="Group">The population pack's group id.</param>
/// <param name="NegativeWeight">Relative weight of the group among negatives (≥ 0).</param>
/// <param name="PositiveWeight">Relative weight of the group among positive residuals (≥ 0).</param>
public sealed record BalanceEntry(string Group, float NegativeWeight, float PositiveWeight);
