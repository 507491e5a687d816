namespace Mote.Core.Models;

/// <summary>One step of provisioning: what is happening and the overall fraction done (0..1).</summary>
public readonly record struct ProvisionProgress(string Stage, double Fraction);
