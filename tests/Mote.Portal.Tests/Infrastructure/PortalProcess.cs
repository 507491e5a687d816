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
    private int _disposed;

    private readonly Process _process;
    private readonly List<string> _log = [];
    private readonly Lock _logGate = new();
    private readonly string _folder;

    private readonly bool _ownsFolder;

    private PortalProcess(Process process, string folder, bool ownsFolder, Uri baseAddress, Uri httpAddress, string databasePath)
    {
        _process = process;
        _folder = folder;
        _ownsFolder = ownsFolder;
        BaseAddress = baseAddress;
        HttpAddress = httpAddress;
        DatabasePath = databasePath;
        SecretsDirectory = Path.Combine(folder, "secrets");
    }

    /// <summary>Where the tests talk to the portal: its HTTPS address when started with <see cref="PortalStart.Https"/>, else its plain-HTTP one.</summary>
    public Uri BaseAddress { get; }

    /// <summary>The plain-HTTP address (the same as <see cref="BaseAddress"/> unless HTTPS is served too).</summary>
    public Uri HttpAddress { get; }

    /// <summary>The SHA-256 fingerprint of the last certificate a client of <see cref="CreateClient"/> was shown over HTTPS.</summary>
    public string? LastServerCertificate { get; private set; }

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

    /// <summary>Starts the portal over plain HTTP; <paramref name="arguments"/> come last, so a <c>--Key=value</c> there overrides the defaults above it.</summary>
    public static Task<PortalProcess> StartAsync(params string[] arguments) => StartAsync(new PortalStart(), arguments);

    /// <summary>
    /// Starts the portal as <paramref name="start"/> says: plain HTTP on one loopback port (what most tests need: the
    /// product's HTTPS defaults are replaced by <c>--urls</c>), or HTTPS and HTTP on two, as the product's defaults do;
    /// in a fresh temporary folder or in <see cref="PortalStart.Folder"/> (kept afterwards, so a second start reuses its
    /// database and secrets).
    /// </summary>
    public static async Task<PortalProcess> StartAsync(PortalStart start, params string[] arguments)
    {
        ArgumentNullException.ThrowIfNull(start);
        var folder = start.Folder ?? Directory.CreateTempSubdirectory("mote-portal-test-").FullName;
        var port = FreePort();
        var httpsPort = start.Https ? FreePort() : 0;
        var httpAddress = new Uri($"http://127.0.0.1:{port}/");
        var baseAddress = start.Https ? new Uri($"https://127.0.0.1:{httpsPort}/") : httpAddress;
        var databasePath = Path.Combine(folder, "data", "mote.db");
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(RepositoryPaths.PortalAssembly);
        info.ArgumentList.Add("--urls");
        info.ArgumentList.Add(start.Https ? $"https://127.0.0.1:{httpsPort};http://127.0.0.1:{port}" : $"http://127.0.0.1:{port}");
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
        if (start.Backbone is null)
        {
            info.Environment.Remove(TestEnvironment.BackboneVariable);
        }
        else
        {
            info.Environment[TestEnvironment.BackboneVariable] = start.Backbone;
        }
        var process = Process.Start(info) ?? throw new InvalidOperationException("Could not start the portal process.");
        var portal = new PortalProcess(process, folder, start.Folder is null, baseAddress, httpAddress, databasePath);
        process.OutputDataReceived += (_, e) => portal.Append(e.Data);
        process.ErrorDataReceived += (_, e) => portal.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await portal.WaitUntilHealthyAsync();
        return portal;
    }

    /// <summary>
    /// A client that keeps cookies and does not follow redirects, so tests can assert them. Over HTTPS it accepts the
    /// certificate this test's own portal shows on loopback (self-signed: no chain to trust) and records its fingerprint.
    /// </summary>
    public HttpClient CreateClient(CookieContainer? cookies = null) =>
        new(CreateHandler(cookies))
        {
            BaseAddress = BaseAddress,
            Timeout = TimeSpan.FromSeconds(30),
        };

    /// <summary>The handler behind <see cref="CreateClient"/>, for clients that need another base address.</summary>
    public HttpClientHandler CreateHandler(CookieContainer? cookies = null) =>
        new()
        {
            AllowAutoRedirect = false,
            CookieContainer = cookies ?? new CookieContainer(),
            UseCookies = true,
            ServerCertificateCustomValidationCallback = (_, certificate, _, _) =>
            {
                LastServerCertificate = certificate?.GetCertHashString(System.Security.Cryptography.HashAlgorithmName.SHA256);
                return certificate is not null;
            },
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

    /// <summary>Runs one writing statement on the portal's database (as an operator's SQL would, beside the running portal); returns the rows changed.</summary>
    public int Execute(string sql)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DatabasePath, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteNonQuery();
    }

    /// <summary>The operating system's id of the portal process.</summary>
    public int ProcessId => _process.Id;

    /// <summary>SIGKILL, as <c>kill -9</c>: the process gets no chance to stop anything; waits until it is gone.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: false);
        await _process.WaitForExitAsync();
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

    /// <summary>Kills the process if it still runs and deletes its folder when it made one; a second call does nothing.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        if (!_ownsFolder)
        {
            return;
        }
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

    [GeneratedRegex(@"https?://\S+/setup\?token=[A-Za-z0-9_\-]+")]
    private static partial Regex SetupLink();
}

/// <summary>How <see cref="PortalProcess.StartAsync(PortalStart, string[])"/> starts the portal.</summary>
/// <param name="Https">Serve HTTPS (the self-signed certificate unless the arguments configure one) and plain HTTP, as the product's defaults do.</param>
/// <param name="Folder">The folder for the database and secrets; kept after the process ends. Null: a fresh temporary folder, deleted afterwards.</param>
/// <param name="Backbone">The backbone the portal describes faces with: the tests' (<see cref="TestEnvironment.Backbone"/>)
/// unless named; null = none named, so the product's own default applies, as for the README's first command.</param>
public sealed record PortalStart(bool Https = false, string? Folder = null, string? Backbone = TestEnvironment.Backbone);
