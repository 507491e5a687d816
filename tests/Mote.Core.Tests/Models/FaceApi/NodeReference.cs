using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Xunit.Abstractions;

namespace Mote.Core.Tests.Models.FaceApi;

/// <summary>Runs the TensorFlow.js reference scripts in <c>tests/reference/</c> with <c>node</c>.</summary>
internal static class NodeReference
{
    /// <summary>The repository's <c>tests/reference</c> folder, found by walking up to <c>Mote.Portal.sln</c>.</summary>
    public static string ReferenceDir
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Mote.Portal.sln")))
                {
                    return Path.Combine(dir.FullName, "tests", "reference");
                }
            }
            throw new InvalidOperationException($"No Mote.Portal.sln above '{AppContext.BaseDirectory}'.");
        }
    }

    /// <summary>Runs <c>node &lt;script&gt; args…</c> in the reference folder; fails the test with node's output on error.</summary>
    public static string Run(string script, params string[] arguments)
    {
        var referenceDir = ReferenceDir;
        var tfjs = Path.Combine(referenceDir, "node_modules", "@tensorflow", "tfjs", "package.json");
        if (!File.Exists(tfjs))
        {
            Assert.Fail($"The TensorFlow.js reference is not installed: '{Path.Combine(referenceDir, "node_modules")}' is missing. " +
                $"Run `npm ci` in '{referenceDir}' (tests never install it themselves).");
        }
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = referenceDir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(referenceDir, script));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (Win32Exception e)
        {
            Assert.Fail($"Cannot run `node` for the TensorFlow.js reference ({e.Message}); Node.js 20 must be on PATH.");
            throw;
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail($"node {script} did not finish within 5 minutes.");
            }
            if (process.ExitCode != 0)
            {
                Assert.Fail($"node {script} failed with exit code {process.ExitCode}:\n{stderr.Result}\n{stdout.Result}");
            }
            return stdout.Result;
        }
    }

    /// <summary>
    /// Runs a <c>faceapi-*.mjs</c> script that takes <c>&lt;package&gt; &lt;input.f32&gt; &lt;count&gt; &lt;output.f32&gt;</c>:
    /// writes <paramref name="pixels"/> as float32, reads back <paramref name="count"/> × <paramref name="valuesPerItem"/> floats.
    /// </summary>
    public static float[] RunOnCrops(string script, string faceApiPackageDir, float[] pixels, int count, int valuesPerItem, ITestOutputHelper output)
    {
        var dir = Path.Combine(Path.GetTempPath(), $"mote-tfjs-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        try
        {
            var input = Path.Combine(dir, "crops.f32");
            var result = Path.Combine(dir, "result.f32");
            File.WriteAllBytes(input, MemoryMarshal.AsBytes(pixels.AsSpan()).ToArray());
            var log = Run(script, faceApiPackageDir, input, count.ToString(CultureInfo.InvariantCulture), result);
            output.WriteLine(log.Trim());
            var bytes = File.ReadAllBytes(result);
            Assert.Equal(count * valuesPerItem * sizeof(float), bytes.Length);
            return MemoryMarshal.Cast<byte, float>(bytes).ToArray();
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
