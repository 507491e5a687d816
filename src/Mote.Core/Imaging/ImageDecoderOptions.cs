namespace Mote.Core.Imaging;

/// <summary>
/// Limits for <see cref="ImageDecoder"/>. Every limit is checked before pixels are allocated, except
/// the allocator caps, which are ImageSharp's own last line of defence.
/// </summary>
public sealed record ImageDecoderOptions
{
    /// <summary>Largest accepted width or height in pixels. Default 8192 (ARCHITECTURE §4).</summary>
    public int MaxSide { get; init; } = 8192;

    /// <summary>
    /// Largest accepted width times height. Default 16 Mpx = 16,777,216 (4096x4096), which is 48 MiB as
    /// <c>Rgb24</c>.
    /// </summary>
    public long MaxPixels { get; init; } = 16L * 1024 * 1024;

    /// <summary>Largest accepted encoded file in bytes. Default 10 MB (10,000,000 bytes).</summary>
    public long MaxEncodedBytes { get; init; } = 10_000_000;

    /// <summary>Decodes allowed to run at once; others wait. Default <see cref="Environment.ProcessorCount"/>.</summary>
    public int MaxConcurrentDecodes { get; init; } = Environment.ProcessorCount;

    /// <summary>
    /// ImageSharp's allocation limit: the largest single (possibly discontiguous) buffer, in MB.
    /// Default 64: the biggest buffer a decode under the default limits needs is the 48 MiB
    /// <c>Rgb24</c> frame (AutoOrient allocates a second one of the same size); ImageSharp's own default
    /// is 4 GB on 64-bit.
    /// </summary>
    public int AllocationLimitMegabytes { get; init; } = 64;

    /// <summary>
    /// Memory ImageSharp may keep pooled between decodes, in MB. Default 64 (ImageSharp's default grows
    /// with the machine's memory).
    /// </summary>
    public int MaximumPoolSizeMegabytes { get; init; } = 64;

    /// <summary>
    /// Threads one decode may use inside ImageSharp. Default 1: concurrency comes from
    /// <see cref="MaxConcurrentDecodes"/> parallel requests, and one thread per decode keeps a burst of
    /// uploads from oversubscribing the cores.
    /// </summary>
    public int MaxDegreeOfParallelism { get; init; } = 1;

    /// <summary>Throws when a limit is not positive.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Names the offending option.</exception>
    public void Validate()
    {
        Positive(MaxSide, nameof(MaxSide));
        Positive(MaxPixels, nameof(MaxPixels));
        Positive(MaxEncodedBytes, nameof(MaxEncodedBytes));
        Positive(MaxConcurrentDecodes, nameof(MaxConcurrentDecodes));
        Positive(AllocationLimitMegabytes, nameof(AllocationLimitMegabytes));
        Positive(MaximumPoolSizeMegabytes, nameof(MaximumPoolSizeMegabytes));
        Positive(MaxDegreeOfParallelism, nameof(MaxDegreeOfParallelism));
        if (MaxEncodedBytes > Array.MaxLength)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxEncodedBytes), MaxEncodedBytes, "MaxEncodedBytes must fit in one array.");
        }
    }

    private static void Positive(long value, string name)
    {
        if (value <= 0)
        {
            throw new ArgumentOutOfRangeException(name, value, $"ImageDecoderOptions.{name} must be positive.");
        }
    }
}
