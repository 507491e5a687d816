namespace Mote.Core.Tests.Templates;

/// <summary>
/// Benchmarks run alone, after the parallel tests: their CPU-time figures are process-wide and would
/// otherwise include whatever other test classes run at the same time.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class BenchmarkCollection
{
    public const string Name = "Benchmarks";
}
