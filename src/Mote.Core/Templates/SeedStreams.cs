namespace Mote.Core.Templates;

/// <summary>
/// Derives independent sub-seeds from one training seed (SplitMix64), so that architecture jitter, the
/// validation split, shuffling, initialisation and dropout each get their own reproducible stream and
/// nothing touches a process-wide random generator.
/// </summary>
internal sealed class SeedStreams(long seed)
{
    private ulong state = unchecked((ulong)seed);

    public ulong NextUInt64()
    {
        var z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>A seeded <see cref="Random"/>; seeded instances use a fixed algorithm, identical across runs.</summary>
    public Random NextRandom() => new(unchecked((int)NextUInt64()) & int.MaxValue);
}
