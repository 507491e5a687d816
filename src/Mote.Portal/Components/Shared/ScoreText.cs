using Mote.Core.Templates;
using Mote.Gallery.Decisions;

namespace Mote.Portal.Components.Shared;

/// <summary>
/// How scores and thresholds are written on the page: as log-odds with one decimal ("log-odds +2.4") and, where the
/// population pack's real-impostor calibration applies, the false-match rate expected at that score. Never scientific
/// notation, never a score rounded to 0 (model-template scores are probabilities that sit at 1e-13 for strangers and at
/// 0.99999 for the person: as raw numbers no one can read them; issue 17).
/// </summary>
public static class ScoreText
{
    /// <summary>A model-template score (probability) as log-odds.</summary>
    public static string Format(float value) => "log-odds " + ReadableScore.LogOdds(value);

    /// <summary>The reading when there is one, else the score as log-odds.</summary>
    public static string Format(ScoreReading? reading, float value) => reading?.Text ?? Format(value);
}
