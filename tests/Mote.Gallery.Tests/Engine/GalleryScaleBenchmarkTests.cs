using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Mote.Core.Templates;
using Mote.Core.Tests.Templates;
using Mote.Gallery.Engine;
using Mote.Gallery.People;
using Mote.Gallery.Security;
using Mote.Gallery.Tests.Builders;
using Xunit.Abstractions;

namespace Mote.Gallery.Tests.Engine;

/// <summary>
/// Issue 15 item 5 (docs/scale.md): a real SQLite gallery of 10,000 (or more) people with encrypted model-templates of the
/// default backbone's size (d = 512, the engine's anchored architecture, default or compact), and the Gallery's own 1:N index
/// over it: how long the index takes to build from the file, the process's resident memory before, at the peak of and after
/// the build, the per-lookup freshness check, the rebuild after one enrollment, and single-probe 1:N (wall and CPU medians).
/// Sizes: <c>MOTE_SCALE_SIZES</c> (default <c>10000</c>), architectures: <c>MOTE_SCALE_ARCHITECTURES</c> (default
/// <c>default,compact</c>). A size whose index would not fit in the memory this machine has available is not built; the line
/// says what it would need. Asserts the answers (the right person found, strangers refused), never a time. Run:
/// <c>MOTE_SCALE_SIZES=10000,100000 dotnet test tests/Mote.Gallery.Tests -c Release --filter "FullyQualifiedName~GalleryScaleBenchmark" --logger "console;verbosity=detailed"</c>.
/// </summary>
/// <remarks>
/// People are 16 templates trained on synthetic descriptors (unit vectors around random centres, d = 512), each moved to a
/// new random centre by the reflection that swaps its centre with the new one (first layer <c>W·Q</c>, Q = I − 2vvᵀ; the
/// anchor's folded reference row moves with it): different people whose weights have trained statistics. Training 100,000
/// templates (about 4 s each on faceplugin-fr) would take days. Thresholds are each base's calibrated one.
/// </remarks>
[Trait("Category", "Benchmark")]
public sealed class GalleryScaleBenchmarkTests(ITestOutputHelper output)
{
    private const int Dimension = 512;
    private const int BaseTemplates = 16;
    private const int Probes = 21;
    private const double Noise = 0.05;
    private static readonly BackboneIdentity Backbone = new("scale-512", new string('5', 64));

    [Fact]
    public async Task OneToN_GalleryOfManyPeople_PrintsIndexBuildMemoryAndProbeLatency()
    {
        var sizes = (Environment.GetEnvironmentVariable("MOTE_SCALE_SIZES") ?? "10000")
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        var architectures = (Environment.GetEnvironmentVariable("MOTE_SCALE_ARCHITECTURES") ?? "default,compact")
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Line($"1:N at scale, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, {Gb(MemoryAvailable())} GB available, load average {LoadAverage()}");
        Line($"  d = {Dimension}; anchored engine templates (faceplugin-fr's anchor); times are medians of {Probes} probes, CPU = process CPU ÷ cores");
        var random = new Random(1);
        foreach (var architecture in architectures)
        {
            var options = (architecture == "compact" ? TemplateTrainerOptions.Compact : TemplateTrainerOptions.Default)
                with { AnchorScale = 4, AnchorCosine = 0.35, CorrectionCap = 2, MaxEpochs = 20 };
            var bases = TrainBases(options, random);
            var sample = new ModelTemplateIdentifier(bases.Select(b => b.Template).ToArray());
            {
                var fp32 = bases[0].Template.Architecture.ParameterCount * (long)sizeof(float);
                var screen = sample.ScreenBytes / BaseTemplates;
                var stored = bases[0].Template.ToBytes().Length;
                Line($"  {architecture} ({bases[0].Template.Architecture}): {fp32:N0} B fp32 + {screen:N0} B int8 screen held per person; {stored:N0} B stored (before encryption)");
                foreach (var size in sizes)
                {
                    var needed = size * (fp32 + screen) * 13 / 10;
                    if (needed > MemoryAvailable() * 85 / 100)
                    {
                        Line($"    {size:N0} people: not built here; the index alone needs {Gb(size * (fp32 + screen))} GB resident (≈{Gb(needed)} GB with headroom), this machine has {Gb(MemoryAvailable())} GB available");
                        continue;
                    }
                    await MeasureAsync(architecture, size, bases, random);
                }
            }
        }
        Line($"  load average after: {LoadAverage()}");
    }

    private async Task MeasureAsync(string architecture, int size, IReadOnlyList<(ModelTemplate Template, float[] Centre, float Threshold)> bases, Random random)
    {
        await using var db = await GalleryTestDatabase.CreateAsync();
        var protector = db.Services.GetRequiredService<TemplateProtector>();
        var centres = new float[size][];
        var clock = Stopwatch.StartNew();
        using (var raw = db.OpenRaw())
        using (var transaction = raw.BeginTransaction())
        using (var insert = raw.CreateCommand())
        {
            insert.CommandText = """
                INSERT INTO People (Id, Name, NormalizedName, NormalizedExternalId, BalanceJson, TemplateKind, TemplateBlob, TemplateBytes, BackboneId, BackboneHash,
                  PopulationPackId, Threshold, TargetFmr, Seed, EnrolledUtc, ConcurrencyStamp)
                VALUES ($id, $name, $norm, $ext, '{}', 'model', $blob, $bytes, $backbone, $hash, 'scale-pack', $threshold, 0.001, $seed, $t, 's')
                """;
            var id = insert.Parameters.Add("$id", Microsoft.Data.Sqlite.SqliteType.Text);
            var name = insert.Parameters.Add("$name", Microsoft.Data.Sqlite.SqliteType.Text);
            var norm = insert.Parameters.Add("$norm", Microsoft.Data.Sqlite.SqliteType.Text);
            var ext = insert.Parameters.Add("$ext", Microsoft.Data.Sqlite.SqliteType.Text);
            var blob = insert.Parameters.Add("$blob", Microsoft.Data.Sqlite.SqliteType.Blob);
            var bytes = insert.Parameters.Add("$bytes", Microsoft.Data.Sqlite.SqliteType.Integer);
            insert.Parameters.AddWithValue("$backbone", Backbone.Id);
            insert.Parameters.AddWithValue("$hash", Backbone.Sha256Hex);
            var threshold = insert.Parameters.Add("$threshold", Microsoft.Data.Sqlite.SqliteType.Real);
            var seed = insert.Parameters.Add("$seed", Microsoft.Data.Sqlite.SqliteType.Integer);
            var t = insert.Parameters.Add("$t", Microsoft.Data.Sqlite.SqliteType.Integer);
            for (var i = 0; i < size; i++)
            {
                var b = bases[i % BaseTemplates];
                centres[i] = Centre(random);
                var template = TemplateReflection.Move(b.Template, b.Centre, centres[i]);
                var personId = Guid.NewGuid().ToString();
                var plain = template.ToBytes();
                (id.Value, name.Value, norm.Value, ext.Value) = (personId, $"Person {i:D6}", $"PERSON {i:D6}", $"#{i:D6}");
                (blob.Value, bytes.Value, threshold.Value, seed.Value, t.Value) = (protector.Protect(personId, PersonRowMapper.ModelTemplatePurpose, plain), plain.Length, b.Threshold, i, 638_000_000_000_000_000L + i);
                insert.ExecuteNonQuery();
            }
            transaction.Commit();
        }
        var fileBytes = new FileInfo(db.DatabasePath).Length;
        Line($"    {size:N0} people ({architecture}): gallery written in {clock.Elapsed.TotalSeconds:F0} s, SQLite file {Gb(fileBytes)} GB");

        Collect();
        var before = Memory();
        ResetPeak();
        var index = db.Services.GetRequiredService<GalleryIndex>();
        clock.Restart();
        var snapshot = await index.GetAsync(Backbone, default);
        var build = clock.Elapsed.TotalSeconds;
        var peak = Memory();
        Collect();
        var after = Memory();
        var identifier = Assert.IsType<ModelTemplateIdentifier>(snapshot.Identifier);
        Assert.Equal(size, identifier.Count);
        Line($"      index build (read, decrypt, parse, quantise): {build:F1} s; resident {Gb(before.Rss)} GB before, peak {Gb(peak.Peak)} GB, {Gb(after.Rss)} GB after ({(after.Rss - before.Rss) / size:N0} B a person); managed heap {Gb(after.Managed)} GB");

        var fresh = new List<double>();
        for (var i = 0; i < Probes; i++)
        {
            clock.Restart();
            Assert.Same(snapshot, await index.GetAsync(Backbone, default));
            fresh.Add(clock.Elapsed.TotalMilliseconds);
        }
        Line($"      freshness check per lookup (COUNT/MAX over People): {Median(fresh):F2} ms");

        var genuine = Enumerable.Range(0, Probes).Select(_ => random.Next(size)).ToArray();
        var (genuineMs, genuineCpu, genuineStats, found) = Identify(identifier, genuine.Select(i => Around(centres[i], random)).ToArray(), snapshot.Thresholds);
        var (strangerMs, strangerCpu, strangerStats, matched) = Identify(identifier, Enumerable.Range(0, Probes).Select(_ => Around(Centre(random), random)).ToArray(), snapshot.Thresholds);
        Line($"      1:N single probe, enrolled person: {genuineMs:F2} ms (CPU {genuineCpu:F2}); {genuineStats}");
        Line($"      1:N single probe, stranger:        {strangerMs:F2} ms (CPU {strangerCpu:F2}); {strangerStats}");
        Assert.True(genuine.Zip(found).Count(p => p.First == p.Second) >= Probes * 9 / 10, "enrolled people should be found first");
        // Strangers are not asserted: with every person's threshold at FMR 1e-3, a stranger passes about N × 1e-3 people
        // (docs/identification.md); the line above prints how many matched someone.
        _ = matched;

        db.Execute(string.Create(CultureInfo.InvariantCulture, $"UPDATE People SET RetrainedUtc = {DateTimeOffset.UtcNow.UtcTicks} WHERE Name = 'Person 000000'"));
        clock.Restart();
        var rebuilt = await index.GetAsync(Backbone, default);
        Line($"      rebuild after one person changes (what follows every enrollment, retrain or erasure): {clock.Elapsed.TotalSeconds:F2} s ({rebuilt.Opened} opened, {rebuilt.Kept:N0} kept)");
        Assert.NotSame(snapshot, rebuilt);
        Assert.Equal(1, rebuilt.Opened);
        snapshot = null;
        rebuilt = null;
        index.Invalidate();
        Collect();
    }

    private (double Ms, double CpuMs, string Stats, int[] Found) Identify(ModelTemplateIdentifier identifier, float[][] probes, float[] thresholds)
    {
        identifier.Identify(Backbone, probes[0], thresholds);
        var times = new List<double>();
        var found = new int[probes.Length];
        int candidates = 0, rescored = 0;
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        var cpu = process.TotalProcessorTime;
        for (var i = 0; i < probes.Length; i++)
        {
            var clock = Stopwatch.StartNew();
            var report = identifier.IdentifyWithReport(Backbone, probes[i], thresholds);
            times.Add(clock.Elapsed.TotalMilliseconds);
            candidates += report.Candidates;
            rescored += report.Rescored;
            found[i] = report.Result.IsNoMatch ? -1 : report.Result.Candidates[0].TemplateIndex;
        }
        process.Refresh();
        var cpuMs = (process.TotalProcessorTime - cpu).TotalMilliseconds / probes.Length / Environment.ProcessorCount;
        return (Median(times), cpuMs, $"mean {candidates / (double)probes.Length:F1} candidates, {rescored / (double)probes.Length:F1} rescored exactly; {found.Count(f => f >= 0)}/{probes.Length} matched", found);
    }

    private static (ModelTemplate Template, float[] Centre, float Threshold)[] TrainBases(TemplateTrainerOptions options, Random random)
    {
        var trainer = new TemplateTrainer(options);
        var provenance = new ModelTemplateProvenance(Backbone, "scale-pack", [new BalanceEntry("group-a", 0.5f, 0.5f), new BalanceEntry("group-b", 0.5f, 0.5f)]);
        var impostors = Enumerable.Range(0, 2000).Select(_ => Around(Centre(random), random)).ToArray();
        return Enumerable.Range(0, BaseTemplates).Select(i =>
        {
            var centre = Centre(random);
            var set = TrainingSet.FromRows(
                Enumerable.Range(0, 100).Select(_ => Around(centre, random)).ToArray(),
                Enumerable.Range(0, 200).Select(_ => Around(Centre(random), random)).ToArray());
            var template = trainer.Train(set, i, provenance, reference: Around(centre, random));
            return (template, centre, ThresholdCalibration.ForTemplate(template, impostors));
        }).ToArray();
    }

    private static float[] Centre(Random random) => Unit(Enumerable.Range(0, Dimension).Select(_ => Gaussian(random)).ToArray());

    private static float[] Around(float[] centre, Random random) => Unit(centre.Select(c => c + (float)(Noise * Gaussian(random))).ToArray());

    private static float Gaussian(Random random) => (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));

    private static float[] Unit(float[] v)
    {
        var norm = MathF.Sqrt(v.Sum(x => x * x));
        return v.Select(x => x / norm).ToArray();
    }

    private static void Collect()
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
    }

    // VmRSS / VmHWM of this process (Linux); writing 5 to clear_refs resets the peak.
    private static (long Rss, long Peak, long Managed) Memory()
    {
        long rss = 0, peak = 0;
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                rss = Kb(line);
            }
            else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                peak = Kb(line);
            }
        }
        return (rss, peak, GC.GetTotalMemory(false));
    }

    private static void ResetPeak() => File.WriteAllText("/proc/self/clear_refs", "5");

    private static long MemoryAvailable() =>
        File.ReadLines("/proc/meminfo").Where(l => l.StartsWith("MemAvailable:", StringComparison.Ordinal)).Select(Kb).First();

    private static long Kb(string line) => long.Parse(line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;

    private static string Gb(long bytes) => (bytes / 1e9).ToString("F2", CultureInfo.InvariantCulture);

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    private void Line(string text) => output.WriteLine(text);
}
