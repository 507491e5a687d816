using Microsoft.Extensions.Options;

namespace Mote.Gallery.Users;

/// <summary>
/// Per-process memory of recent sign-in failures: per client address (a sliding window) and per Admin account
/// (a progressive delay). Kept in memory on purpose: a restart forgets it, which at worst gives an attacker one
/// fresh window, and nothing an attacker sends can fill the database. Bounded: at most
/// <see cref="MaxTrackedKeys"/> entries, the oldest dropped first. Thread-safe.
/// </summary>
public sealed class SignInThrottle(IOptions<SignInPolicy> options, TimeProvider time)
{
    /// <summary>Bounds memory under a flood of addresses (IPv6 makes them cheap).</summary>
    internal const int MaxTrackedKeys = 50_000;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, List<DateTimeOffset>> _addressFailures = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (int Count, DateTimeOffset Last)> _adminFailures = new(StringComparer.Ordinal);

    private SignInPolicy Policy => options.Value;

    /// <summary>When <paramref name="address"/> may try again, or null if it may now.</summary>
    public TimeSpan? AddressWait(string? address)
    {
        var now = time.GetUtcNow();
        lock (_gate)
        {
            if (!_addressFailures.TryGetValue(Key(address), out var failures))
            {
                return null;
            }
            var window = TimeSpan.FromMinutes(Policy.WindowMinutes);
            failures.RemoveAll(t => now - t >= window);
            if (failures.Count < Policy.FailuresPerAddress)
            {
                return null;
            }
            return failures[^Policy.FailuresPerAddress] + window - now;
        }
    }

    /// <summary>How long an Admin account must still wait before its password is checked again, or null.</summary>
    public TimeSpan? AdminWait(string userId)
    {
        var now = time.GetUtcNow();
        lock (_gate)
        {
            if (!_adminFailures.TryGetValue(userId, out var entry) || entry.Count < Policy.AdminFreeFailures)
            {
                return null;
            }
            var ready = entry.Last + AdminDelay(entry.Count);
            return ready > now ? ready - now : null;
        }
    }

    /// <summary>Records a failed attempt from <paramref name="address"/> (and against an Admin's account, when <paramref name="adminId"/> is given).</summary>
    public void RecordFailure(string? address, string? adminId)
    {
        var now = time.GetUtcNow();
        lock (_gate)
        {
            Trim(_addressFailures);
            if (!_addressFailures.TryGetValue(Key(address), out var failures))
            {
                _addressFailures[Key(address)] = failures = [];
            }
            failures.Add(now);
            if (adminId is not null)
            {
                var count = _adminFailures.TryGetValue(adminId, out var entry) ? entry.Count : 0;
                _adminFailures[adminId] = (count + 1, now);
            }
        }
    }

    /// <summary>Forgets an account's failures after it signed in (its address keeps its record: other accounts may be guessed from it).</summary>
    public void RecordSuccess(string userId)
    {
        lock (_gate)
        {
            _adminFailures.Remove(userId);
        }
    }

    /// <summary>2 s after the first failure past the free ones, doubling each time, capped.</summary>
    private TimeSpan AdminDelay(int count)
    {
        var exponent = Math.Min(count - Policy.AdminFreeFailures + 1, 20);
        return TimeSpan.FromSeconds(Math.Min(Math.Pow(2, exponent), Policy.AdminMaxDelaySeconds));
    }

    private static string Key(string? address) => string.IsNullOrEmpty(address) ? "unknown" : address;

    private static void Trim(Dictionary<string, List<DateTimeOffset>> map)
    {
        if (map.Count < MaxTrackedKeys)
        {
            return;
        }
        foreach (var oldest in map.OrderBy(kv => kv.Value.Count == 0 ? DateTimeOffset.MinValue : kv.Value[^1]).Take(map.Count / 10).Select(kv => kv.Key).ToList())
        {
            map.Remove(oldest);
        }
    }
}
