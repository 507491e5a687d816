using System.ComponentModel;
using System.Diagnostics;

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
}
