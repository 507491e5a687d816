using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;

namespace Mote.Portal.Tests.Infrastructure;

/// <summary>
/// The real portal, started as its own process (`dotnet Mote.Portal.dll`) on a free loopback port with
/// a fresh SQLite file and secrets folder in a temporary directory; everything else (content root,
/// web root, appsettings.json) is what `dotnet run --project src/Mote.Portal` uses.
/// </summary>
public sealed partial class PortalProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _log = [];
    private readonly Lock _logGate = new();
    private readonly string _folder;

    private PortalProcess(Process process, string folder, Uri baseAddress, string databasePath)
    {
        _process = process;
        _folder = folder;
        BaseAddress = baseAddress;
        DatabasePath = databasePath;
        SecretsDirectory = Path.Combine(folder, "secrets");
    }

    public Uri BaseAddress { get; }

    public string DatabasePath { get; }

    /// <summary>The portal's secrets folder (template and audit keys): another process sharing its database needs the same keys.</summary>
    public string SecretsDirectory { get; }

    public IReadOnlyList<string> Log
    {
        get
        {
            lock (_logGate)
            {
                return [.. _log];
            }
        }
    }

    /// <summary>Starts the portal; <paramref name="arguments"/> come last, so a <c>--Key=value</c> there overrides the defaults above it.</summary>
    public static async Task<PortalProcess> StartAsync(params string[] arguments)
    {
        var folder = Directory.CreateTempSubdirectory("mote-portal-test-").FullName;
        var port = FreePort();
        var databasePath = Path.Combine(folder, "data", "mote.db");
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(RepositoryPaths.PortalAssembly);
        info.ArgumentList.Add("--urls");
        info.ArgumentList.Add($"http://127.0.0.1:{port}");
        info.ArgumentList.Add($"--Mote:Gallery:DatabasePath={databasePath}");
        info.ArgumentList.Add($"--Mote:Secrets:Directory={Path.Combine(folder, "secrets")}");
        // Tests of the shell do not need the model pack; the ones that do provision it explicitly.
        info.ArgumentList.Add("--Mote:Models:ProvisionOnStart=false");
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment.Remove("ASPNETCORE_ENVIRONMENT");
        var process = Process.Start(info) ?? throw new InvalidOperationException("Could not start the portal process.");
        var portal = new PortalProcess(process, folder, new Uri($"http://127.0.0.1:{port}/"), databasePath);
        process.OutputDataReceived += (_, e) => portal.Append(e.Data);
        process.ErrorDataReceived += (_, e) => portal.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await portal.WaitUntilHealthyAsync();
        return portal;
    }

    /// <summary>A client that keeps cookies and does not follow redirects, so tests can assert them.</summary>
    public HttpClient CreateClient(CookieContainer? cookies = null) =>
        new(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = cookies ?? new CookieContainer(), UseCookies = true })
        {
            BaseAddress = BaseAddress,
            Timeout = TimeSpan.FromSeconds(30),
        };

    /// <summary>The one-time setup link the portal wrote to its console log.</summary>
    public async Task<Uri> WaitForSetupLinkAsync()
    {
        for (var i = 0; i < 100; i++)
        {
            foreach (var line in Log)
            {
                var match = SetupLink().Match(line);
                if (match.Success)
                {
                    return new Uri(match.Value);
                }
            }
            await Task.Delay(100);
        }
        throw new TimeoutException("The portal did not log a setup link. Log:\n" + string.Join('\n', Log));
    }

    public long Scalar(string sql)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DatabasePath, Pooling = false, Mode = SqliteOpenMode.ReadOnly }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Sends SIGTERM (what systemd and <c>docker stop</c> send) and waits for the process to exit; returns its exit code.</summary>
    public async Task<int> TerminateAsync(TimeSpan timeout)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("SIGTERM is a Unix signal.");
        }
        using (var kill = Process.Start(new ProcessStartInfo("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]) { UseShellExecute = false })
            ?? throw new InvalidOperationException("Could not run kill."))
        {
            await kill.WaitForExitAsync();
            Assert.Equal(0, kill.ExitCode);
        }
        using var wait = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(wait.Token);
        // WaitForExitAsync returns once the process ended; the redirected output may still be draining.
        _process.WaitForExit();
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: the temp folder is not part of what is tested.
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_logGate)
        {
            _log.Add(line);
        }
    }

    private async Task WaitUntilHealthyAsync()
    {
        using var client = CreateClient();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The portal exited with code {_process.ExitCode}. Log:\n{string.Join('\n', Log)}");
            }
            try
            {
                using var response = await client.GetAsync("healthz");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            await Task.Delay(200);
        }
        throw new TimeoutException("The portal did not become healthy within 60 s. Log:\n" + string.Join('\n', Log));
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [GeneratedRegex(@"http://\S+/setup\?token=[A-Za-z0-9_\-]+")]
    private static partial Regex SetupLink();
}
