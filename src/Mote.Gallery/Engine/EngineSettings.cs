namespace Mote.Gallery.Engine;

/// <summary>How people are enrolled and decided about. Bound from <c>Mote:Engine</c>.</summary>
public sealed class EngineSettings
{
    public const string Section = "Mote:Engine";

    /// <summary>
    /// The population pack file used to synthesise training samples. Empty: the default pack that ships
    /// with Mote (built from research datasets; see docs/population.md). Relative paths resolve against the
    /// content root.
    /// </summary>
    public string? PopulationPack { get; set; }

    /// <summary>"model" (MOTE model-templates, the default) or "vector" (the baseline, for comparison).</summary>
    public string TemplateKind { get; set; } = "model";

    /// <summary>The false-match rate each person's threshold is calibrated to on synthetic impostors. Default 1e-3.</summary>
    public double TargetFmr { get; set; } = 1e-3;

    /// <summary>Synthetic impostors drawn per negative group to calibrate a threshold. Default 2,000.</summary>
    public int CalibrationImpostorsPerGroup { get; set; } = 2000;

    /// <summary>The compact architecture (d→32→16→1) instead of the paper's (d→128→64→16→1). Default false.</summary>
    public bool CompactArchitecture { get; set; }

    /// <summary>Hidden-width jitter (±n units, per person) as privacy hardening. Default 0 (off).</summary>
    public int WidthJitter { get; set; }
}
