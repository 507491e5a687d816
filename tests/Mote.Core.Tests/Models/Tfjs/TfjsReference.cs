using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Mote.Core.Tests.Models.Tfjs;

/// <summary>One named float32 tensor (NHWC for images), as fed to or returned by a model.</summary>
public sealed record NamedTensor(string Name, int[] Shape, float[] Data);

/// <summary>
/// Runs a graph model in TensorFlow.js 4.22.0 under Node through tests/reference/tfjs-graph-run.mjs:
/// writes the inputs as float32 files, lets the script run every input set, reads its outputs back.
/// </summary>
public static class TfjsReference
{
    public static IReadOnlyList<IReadOnlyList<NamedTensor>> Run(
        string referenceDir, string modelJson, string backend, IReadOnlyList<string> outputs, IReadOnlyList<IReadOnlyList<NamedTensor>> runs)
    {
        if (!File.Exists(Path.Combine(referenceDir, "node_modules", "@tensorflow", "tfjs", "package.json")))
        {
            throw new InvalidOperationException(
                $"TensorFlow.js is not installed in {referenceDir}/node_modules: run `npm ci --prefix tests/reference` from the repository root.");
        }
        var work = Directory.CreateTempSubdirectory("mote-tfjs-");
        try
        {
            var runsJson = new JsonArray();
            for (var r = 0; r < runs.Count; r++)
            {
                var inputs = new JsonArray();
                foreach (var t in runs[r])
                {
                    var file = Path.Combine(work.FullName, $"run{r}_{inputs.Count}.bin");
                    File.WriteAllBytes(file, MemoryMarshal.AsBytes(t.Data.AsSpan()).ToArray());
                    inputs.Add(new JsonObject { ["name"] = t.Name, ["shape"] = new JsonArray([.. t.Shape.Select(d => JsonValue.Create(d))]), ["file"] = file });
                }
                runsJson.Add(new JsonObject { ["inputs"] = inputs });
            }
            var request = new JsonObject
            {
                ["model"] = Path.GetFullPath(modelJson),
                ["backend"] = backend,
                ["outDir"] = work.FullName,
                ["outputs"] = new JsonArray([.. outputs.Select(o => JsonValue.Create(o))]),
                ["runs"] = runsJson,
            };
            var requestFile = Path.Combine(work.FullName, "request.json");
            File.WriteAllText(requestFile, request.ToJsonString());
            RunNode(referenceDir, requestFile);

            using var result = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(work.FullName, "result.json")));
            var all = new List<IReadOnlyList<NamedTensor>>();
            foreach (var run in result.RootElement.GetProperty("runs").EnumerateArray())
            {
                all.Add([.. run.GetProperty("outputs").EnumerateArray().Select(o => new NamedTensor(
                    o.GetProperty("name").GetString()!,
                    [.. o.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32())],
                    MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(o.GetProperty("file").GetString()!)).ToArray()))]);
            }
            return all;
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    private static void RunNode(string referenceDir, string requestFile)
    {
        var psi = new ProcessStartInfo("node", $"tfjs-graph-run.mjs \"{requestFile}\"")
        {
            WorkingDirectory = referenceDir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("Could not start node; is Node.js 20 installed?");
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"node tfjs-graph-run.mjs failed ({p.ExitCode}): {stderr.Result}{stdout}");
        }
    }
}
