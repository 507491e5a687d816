namespace Mote.Core.Templates;

/// <summary>How a model-template's training went.</summary>
/// <param name="EpochsRun">Epochs actually run (early stopping may end before the maximum).</param>
/// <param name="BestEpoch">1-based epoch whose weights were kept (lowest validation loss).</param>
/// <param name="BestValidationLoss">Mean BCE on the held-out validation split at <paramref name="BestEpoch"/>.</param>
/// <param name="TrainLoss">Mean training BCE (with dropout) during <paramref name="BestEpoch"/>.</param>
/// <param name="Duration">Wall time of the training.</param>
public sealed record TrainingSummary(int EpochsRun, int BestEpoch, float BestValidationLoss, float TrainLoss, TimeSpan Duration);
