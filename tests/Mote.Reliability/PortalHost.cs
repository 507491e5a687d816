using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Data.Sqlite;

namespace Mote.Reliability;

/// <summary>
/// The real portal (`dotnet Mote.Portal.dll`) on a loopback port, over plain HTTP, with its database and secrets in
/// <see cref="Folder"/>, which outlives the process: <see cref="KillHardAsync"/> then <see cref="StartAsync"/> again is a crash
/// and a restart on the same files. The model pack comes from the product's default cache (provisioned on start).
/// </summary>
public sealed class PortalHost : IAsyncDisposable
{
    private readonly Lock _logGate = new();
    private readonly List<string> _log = [];
    private Process? _process;

    public PortalHost(string folder, int port)
    {
        Folder = folder;
        Port = port;
        BaseAddress = new Uri($"http://127.0.0.1:{port}/");
    }

    public string Folder { get; }

    public int Port { get; }

    public Uri BaseAddress { get; }

    public string DatabasePath => Path.Combine(Folder, "data", "mote.db");

    public string SecretsDirectory => Path.Combine(Folder, "secrets");

    public int ProcessId => _process?.Id ?? throw new InvalidOperationException("The portal is not running.");

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>The last <paramref name="lines"/> lines the portal wrote.</summary>
    public string Tail(int lines = 40)
    {
        lock (_logGate)
        {
            return string.Join('\n', _log.TakeLast(lines));
        }
    }

    /// <summary>Lines the portal logged at level fail/crit since it was first started.</summary>
    public IReadOnlyList<string> Failures()
    {
        lock (_logGate)
        {
            return [.. _log.Where(l => l.StartsWith("fail:", StringComparison.Ordinal) || l.StartsWith("crit:", StringComparison.Ordinal))];
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Starts the portal and waits until <c>/healthz</c> answers 200 (at most 300 s: a loaded 2-core machine is slow to start it).</summary>
    public async Task StartAsync(IEnumerable<string> extraArguments)
    {
        if (IsRunning)
        {
            throw new InvalidOperationException("The portal is already running.");
        }
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Repository.PortalAssembly);
        info.ArgumentList.Add("--urls");
        info.ArgumentList.Add($"http://127.0.0.1:{Port}");
        info.ArgumentList.Add($"--Mote:Gallery:DatabasePath={DatabasePath}");
        info.ArgumentList.Add($"--Mote:Secrets:Directory={SecretsDirectory}");
        // The harness's clients are many and fast; the per-key rate limit is not what is measured.
        info.ArgumentList.Add("--Mote:Api:RateLimit:PermitLimit=1000000");
        info.ArgumentList.Add("--Logging:LogLevel:Default=Warning");
        foreach (var argument in extraArguments)
        {
            info.ArgumentList.Add(argument);
        }
        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment.Remove("ASPNETCORE_ENVIRONMENT");
        var process = Process.Start(info) ?? throw new InvalidOperationException("Could not start the portal.");
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        using var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(300))
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The portal exited with code {process.ExitCode}:\n{Tail()}");
            }
            try
            {
                using var response = await client.GetAsync("healthz");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet.
            }
            await Task.Delay(200);
        }
        throw new TimeoutException("The portal did not become healthy in 300 s:\n" + Tail());
    }

    /// <summary>SIGKILL (kill -9): no shutdown code runs, as in a power cut of the process.</summary>
    public async Task KillHardAsync()
    {
        var process = _process ?? throw new InvalidOperationException("The portal is not running.");
        process.Kill(entireProcessTree: false); // SIGKILL on Unix
        await process.WaitForExitAsync();
        process.WaitForExit();
        process.Dispose();
        _process = null;
    }

    /// <summary>Resident memory of the portal process now and its peak, from /proc (kB → MB).</summary>
    public (double RssMb, double PeakMb) Memory()
    {
        double rss = 0, peak = 0;
        foreach (var line in File.ReadLines($"/proc/{ProcessId}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                rss = Kilobytes(line) / 1024.0;
            }
            else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                peak = Kilobytes(line) / 1024.0;
            }
        }
        return (rss, peak);
    }

    /// <summary>Resets the kernel's peak-RSS mark (VmHWM) of the portal process, so a later <see cref="Memory"/> shows the peak of what follows.</summary>
    public void ResetPeakMemory() => File.WriteAllText($"/proc/{ProcessId}/clear_refs", "5");

    /// <summary>CPU time (user + system) the portal process has used, in seconds.</summary>
    public double CpuSeconds()
    {
        var fields = File.ReadAllText($"/proc/{ProcessId}/stat");
        var parts = fields[(fields.LastIndexOf(')') + 2)..].Split(' ');
        // Fields 14 and 15 of stat (utime, stime) are parts[11] and parts[12] after the name; clock ticks of 1/100 s.
        return (long.Parse(parts[11], CultureInfo.InvariantCulture) + long.Parse(parts[12], CultureInfo.InvariantCulture)) / 100.0;
    }

    public SqliteConnection OpenDatabase(bool readOnly = true)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = DatabasePath,
            Pooling = false,
            Mode = readOnly ? SqliteOpenMode.ReadOnly : SqliteOpenMode.ReadWrite,
        }.ToString());
        connection.Open();
        return connection;
    }

    public long Scalar(string sql)
    {
        using var connection = OpenDatabase();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            await KillHardAsync();
        }
        _process?.Dispose();
    }

    private static long Kilobytes(string line) =>
        long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_logGate)
        {
            _log.Add(line);
            if (_log.Count > 20_000)
            {
                _log.RemoveRange(0, 10_000);
            }
        }
    }
}
