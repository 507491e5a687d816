namespace Mote.Core.Templates;

/// <summary>
/// Where a model-template's training data came from, stored with it: the backbone that made the descriptors,
/// the population pack the synthetic samples were drawn from, and the person's balance.
/// </summary>
/// <param name="Backbone">The backbone of every training and probe descriptor.</param>
/// <param name="PopulationPackId">Id of the population pack used for the synthetic samples (at most 200 characters).</param>
/// <param name="Balance">The person's mix of groups (may be empty when unknown).</param>
public sealed record ModelTemplateProvenance(BackboneIdentity Backbone, string PopulationPackId, IReadOnlyList<BalanceEntry> Balance);
