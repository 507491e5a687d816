using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Mote.Gallery.Tests.Builders;

/// <summary>
/// A real PostgreSQL server for the tests, and a fresh empty database on it per caller. The server is the one named by
/// <c>$MOTE_TEST_POSTGRES</c> (a connection string whose user may create databases; <c>.ci/run</c> starts Debian's
/// cluster and sets it), else a throwaway cluster this process starts from Debian's installed binaries
/// (<c>/usr/lib/postgresql/&lt;version&gt;/bin</c>: initdb, pg_ctl; as the <c>postgres</c> user when run as root, which
/// initdb requires) in a temporary folder on a free local port, stopped and removed (by a watchdog) once the process has exited. With neither,
/// the test fails with one sentence naming the fix — as the browser tests do for Chromium.
/// </summary>
public static class TestPostgres
{
    /// <summary>The variable that names an existing server (a connection string).</summary>
    public const string Variable = "MOTE_TEST_POSTGRES";

    /// <summary>Where Debian installs PostgreSQL's server binaries (one folder per major version).</summary>
    public const string DebianRoot = "/usr/lib/postgresql";

    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static string? _server;

    /// <summary>A connection string to a new, empty database (dropped by <see cref="DropDatabaseAsync"/>).</summary>
    public static async Task<string> CreateDatabaseAsync()
    {
        var server = await ServerAsync().ConfigureAwait(false);
        var name = $"mote_test_{Guid.NewGuid():N}";
        var admin = new NpgsqlConnection(server);
        await using (admin.ConfigureAwait(false))
        {
            await admin.OpenAsync().ConfigureAwait(false);
            var command = admin.CreateCommand();
            await using (command.ConfigureAwait(false))
            {
                command.CommandText = $"CREATE DATABASE \"{name}\"";
                await command.ExecuteNonQueryAsync().ConfigureAwait(false);
            }
        }
        return new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
    }

    /// <summary>Drops the database <paramref name="connectionString"/> names (ending its open connections first).</summary>
    public static async Task DropDatabaseAsync(string connectionString)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database;
        NpgsqlConnection.ClearAllPools();
        var admin = new NpgsqlConnection(await ServerAsync().ConfigureAwait(false));
        await using (admin.ConfigureAwait(false))
        {
            await admin.OpenAsync().ConfigureAwait(false);
            var command = admin.CreateCommand();
            await using (command.ConfigureAwait(false))
            {
                command.CommandText = $"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)";
                await command.ExecuteNonQueryAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>The server's connection string (to its maintenance database).</summary>
    public static async Task<string> ServerAsync()
    {
        await Gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_server is null)
            {
                var named = Environment.GetEnvironmentVariable(Variable);
                _server = string.IsNullOrWhiteSpace(named) ? await StartThrowawayClusterAsync().ConfigureAwait(false) : named;
            }
            return _server;
        }
        finally
        {
            Gate.Release();
        }
    }

    private static async Task<string> StartThrowawayClusterAsync()
    {
        var bin = Directory.Exists(DebianRoot)
            ? Directory.GetDirectories(DebianRoot).Select(d => Path.Combine(d, "bin"))
                .Where(b => File.Exists(Path.Combine(b, "initdb")) && File.Exists(Path.Combine(b, "pg_ctl")))
                .OrderByDescending(b => int.TryParse(Path.GetFileName(Path.GetDirectoryName(b)), out var v) ? v : 0).FirstOrDefault()
            : null;
        if (bin is null)
        {
            throw new InvalidOperationException(
                $"The PostgreSQL tests need a server: install Debian's postgresql package (`apt-get install postgresql`, as .ci/run does) or set {Variable} to a connection string whose user may create databases.");
        }
        var asRoot = Environment.UserName == "root";
        var folder = Directory.CreateTempSubdirectory("mote-pg-").FullName;
        if (asRoot)
        {
            await RunAsync("chown", ["postgres:postgres", folder]).ConfigureAwait(false);
        }
        var data = Path.Combine(folder, "data");
        var port = FreePort();
        await RunAsync(Path.Combine(bin, "initdb"), ["-D", data, "-U", "mote", "-A", "trust", "-E", "UTF8", "--no-sync"], asRoot).ConfigureAwait(false);
        await RunAsync(Path.Combine(bin, "pg_ctl"), ["-D", data, "-l", Path.Combine(folder, "server.log"), "-w", "-t", "60", "-o",
            $"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300", "start"], asRoot).ConfigureAwait(false);
        // A watchdog, not a ProcessExit handler: vstest kills the test host as soon as the run is reported, which cut such a
        // handler short (a stopped cluster's folder was left in /tmp), and a crash runs none. The watchdog, in a session of its
        // own, waits for this process to be gone however it ends, then stops the cluster and removes its folder.
        var stop = $"{(asRoot ? "runuser -u postgres -- " : "")}{Quote(Path.Combine(bin, "pg_ctl"))} -D {Quote(data)} -m immediate -w stop";
        var watchdog = new ProcessStartInfo("setsid") { UseShellExecute = false, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "sh", "-c", $"exec </dev/null >/dev/null 2>&1; while kill -0 {Environment.ProcessId}; do sleep 1; done; {stop}; rm -rf {Quote(folder)}" })
        {
            watchdog.ArgumentList.Add(a);
        }
        using (Process.Start(watchdog) ?? throw new InvalidOperationException("Could not start the PostgreSQL cluster's watchdog."))
        {
        }
        return $"Host=127.0.0.1;Port={port};Username=mote;Database=postgres;Maximum Pool Size=20";
    }

    private static string Quote(string path) => "'" + path.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task RunAsync(string program, string[] arguments, bool asPostgres = false)
    {
        var info = new ProcessStartInfo(asPostgres ? "runuser" : program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (asPostgres)
        {
            foreach (var a in new[] { "-u", "postgres", "--", program })
            {
                info.ArgumentList.Add(a);
            }
        }
        foreach (var a in arguments)
        {
            info.ArgumentList.Add(a);
        }
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {program}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} failed ({process.ExitCode}): {await error.ConfigureAwait(false)}{await output.ConfigureAwait(false)}");
        }
    }
}
