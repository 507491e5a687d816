namespace Mote.Core.Templates;

/// <summary>How a model-template's weights are stored.</summary>
public enum WeightPrecision : byte
{
    /// <summary>IEEE single precision, 4 bytes a weight.</summary>
    Float32 = 0,

    /// <summary>IEEE half precision, 2 bytes a weight; scores move by well under 1e-2 (see the tests).</summary>
    Float16 = 1,
}
