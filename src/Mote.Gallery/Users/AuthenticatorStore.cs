using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Mote.Gallery.Data;
using Mote.Gallery.Security;

namespace Mote.Gallery.Users;

/// <summary>
/// Where an account's second factor is kept, in Identity's own user-token table (no migration; the CLI and the portal
/// share it), under the login provider <c>Mote</c>:
/// <list type="bullet">
/// <item><c>AuthenticatorKey</c> / <c>PendingAuthenticatorKey</c>: the 160-bit TOTP secret, AES-256-GCM encrypted by
/// <see cref="TemplateProtector"/> (the key in the secrets folder, bound to the account's id), never in clear text;</item>
/// <item><c>AuthenticatorLastStep</c>: the last time step a code was accepted for, so a code works once;</item>
/// <item><c>RecoveryCode.N</c>: an HMAC-SHA256 of each one-time recovery code under the <c>recovery-codes</c> key of the
/// secrets folder; a code is spent by deleting its row, so two racing uses succeed once.</item>
/// </list>
/// Whether MFA is on is Identity's own <c>TwoFactorEnabled</c> column. Internal to the MFA use cases.
/// </summary>
public sealed class AuthenticatorStore(MoteDbContext db, TemplateProtector protector, SecretKeyStore keys, TimeProvider time)
{
    internal const string Provider = "Mote";
    private const string KeyName = "AuthenticatorKey";
    private const string PendingKeyName = "PendingAuthenticatorKey";
    private const string LastStepName = "AuthenticatorLastStep";
    private const string RecoveryPrefix = "RecoveryCode.";
    private const string Purpose = KeyPurpose;

    /// <summary>The purpose the TOTP secrets are encrypted under (re-encrypted by <see cref="Keys.RotateTemplateKey"/>).</summary>
    internal const string KeyPurpose = "authenticator-key";

    /// <summary>Recovery codes issued at a time.</summary>
    public const int RecoveryCodeCount = 10;

    // No 0/O, 1/l/i: codes are read off paper. 32 symbols × 10 characters = 50 bits each.
    private const string RecoveryAlphabet = "abcdefghjkmnpqrstuvwxyz23456789";

    internal Task<byte[]?> ActiveKeyAsync(string userId, CancellationToken ct) => ReadKeyAsync(userId, KeyName, ct);

    internal Task<byte[]?> PendingKeyAsync(string userId, CancellationToken ct) => ReadKeyAsync(userId, PendingKeyName, ct);

    /// <summary>Stores a new pending secret (replacing any) and returns it.</summary>
    internal async Task<byte[]> NewPendingKeyAsync(string userId, CancellationToken ct)
    {
        var key = RandomNumberGenerator.GetBytes(20); // 160 bits, RFC 4226's recommended length
        await SetAsync(userId, PendingKeyName, Convert.ToBase64String(protector.Protect(userId, Purpose, key)), ct).ConfigureAwait(false);
        return key;
    }

    /// <summary>Makes the pending secret the active one, with <paramref name="usedStep"/> as its last used step.</summary>
    internal async Task ActivatePendingAsync(string userId, long usedStep, CancellationToken ct)
    {
        var pending = await FindAsync(userId, PendingKeyName, ct).ConfigureAwait(false) ?? throw new GalleryException("Start the set-up again: no authenticator secret is waiting for confirmation.");
        await SetAsync(userId, KeyName, pending.Value!, ct).ConfigureAwait(false);
        db.UserTokens.Remove(pending);
        await SetAsync(userId, LastStepName, usedStep.ToString(CultureInfo.InvariantCulture), ct).ConfigureAwait(false);
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Checks a TOTP code against the active secret (one step either side of now) and spends its time step: the same
    /// code, or an older one, is refused afterwards. Writes at once (outside any transaction of the caller's, a single
    /// conditional update), so two racing uses of one code succeed once.
    /// </summary>
    internal async Task<bool> VerifyCodeAsync(string userId, string? code, CancellationToken ct)
    {
        var key = await ActiveKeyAsync(userId, ct).ConfigureAwait(false);
        if (key is null)
        {
            return false;
        }
        var last = await db.UserTokens.AsNoTracking()
            .Where(t => t.UserId == userId && t.LoginProvider == Provider && t.Name == LastStepName)
            .Select(t => t.Value).FirstOrDefaultAsync(ct).ConfigureAwait(false);
        var lastStep = long.TryParse(last, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed) ? parsed : long.MinValue;
        var step = Totp.Match(key, code, Totp.StepAt(time.GetUtcNow()), lastStep);
        if (step is null)
        {
            return false;
        }
        var next = step.Value.ToString(CultureInfo.InvariantCulture);
        if (last is null)
        {
            var entry = db.UserTokens.Add(new() { UserId = userId, LoginProvider = Provider, Name = LastStepName, Value = next });
            try
            {
                await db.SaveChangesAsync(ct).ConfigureAwait(false);
                return true;
            }
            catch (DbUpdateException)
            {
                entry.State = EntityState.Detached;
                return false; // a racing use of a code inserted it first
            }
        }
        var updated = await db.UserTokens
            .Where(t => t.UserId == userId && t.LoginProvider == Provider && t.Name == LastStepName && t.Value == last)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.Value, next), ct).ConfigureAwait(false);
        return updated == 1;
    }

    /// <summary>Checks a code against the pending secret; returns the matching step or null. Writes nothing.</summary>
    internal async Task<long?> MatchPendingAsync(string userId, string? code, CancellationToken ct)
    {
        var key = await PendingKeyAsync(userId, ct).ConfigureAwait(false);
        return key is null ? null : Totp.Match(key, code, Totp.StepAt(time.GetUtcNow()), long.MinValue);
    }

    /// <summary>Replaces the account's recovery codes with <see cref="RecoveryCodeCount"/> new ones; returns them (the only time they exist in clear).</summary>
    internal async Task<IReadOnlyList<string>> NewRecoveryCodesAsync(string userId, CancellationToken ct)
    {
        await RemoveRecoveryCodesAsync(userId, ct).ConfigureAwait(false);
        var codes = new string[RecoveryCodeCount];
        for (var i = 0; i < codes.Length; i++)
        {
            var chars = new char[10];
            for (var c = 0; c < chars.Length; c++)
            {
                chars[c] = RecoveryAlphabet[RandomNumberGenerator.GetInt32(RecoveryAlphabet.Length)];
            }
            codes[i] = $"{new string(chars, 0, 5)}-{new string(chars, 5, 5)}";
            db.UserTokens.Add(new() { UserId = userId, LoginProvider = Provider, Name = RecoveryPrefix + i.ToString(CultureInfo.InvariantCulture), Value = HashRecoveryCode(userId, codes[i]) });
        }
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
        return codes;
    }

    /// <summary>Spends a recovery code: true when it was one of the account's unused codes (it is gone now).</summary>
    internal async Task<bool> RedeemRecoveryCodeAsync(string userId, string? code, CancellationToken ct)
    {
        var normalized = NormalizeRecoveryCode(code);
        if (normalized.Length != 10)
        {
            return false;
        }
        var hash = HashRecoveryCode(userId, normalized);
        var spent = await db.UserTokens
            .Where(t => t.UserId == userId && t.LoginProvider == Provider && t.Name.StartsWith(RecoveryPrefix) && t.Value == hash)
            .ExecuteDeleteAsync(ct).ConfigureAwait(false);
        return spent == 1;
    }

    /// <summary>How many unused recovery codes the account has.</summary>
    public Task<int> RecoveryCodesLeftAsync(string userId, CancellationToken ct = default) =>
        db.UserTokens.CountAsync(t => t.UserId == userId && t.LoginProvider == Provider && t.Name.StartsWith(RecoveryPrefix), ct);

    /// <summary>Removes every MFA row of the account (secret, pending secret, last step, recovery codes).</summary>
    internal async Task RemoveAllAsync(string userId, CancellationToken ct)
    {
        var rows = await db.UserTokens
            .Where(t => t.UserId == userId && t.LoginProvider == Provider
                && (t.Name == KeyName || t.Name == PendingKeyName || t.Name == LastStepName || t.Name.StartsWith(RecoveryPrefix)))
            .ToListAsync(ct).ConfigureAwait(false);
        db.UserTokens.RemoveRange(rows);
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
    }

    private async Task RemoveRecoveryCodesAsync(string userId, CancellationToken ct)
    {
        var rows = await db.UserTokens
            .Where(t => t.UserId == userId && t.LoginProvider == Provider && t.Name.StartsWith(RecoveryPrefix))
            .ToListAsync(ct).ConfigureAwait(false);
        db.UserTokens.RemoveRange(rows);
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
    }

    private static string NormalizeRecoveryCode(string? code) =>
        new((code ?? "").Where(c => !char.IsWhiteSpace(c) && c != '-').Select(char.ToLowerInvariant).ToArray());

    // Keyed (the key is outside the database) and bound to the account, so a copied database gives no way to test guesses offline.
    private string HashRecoveryCode(string userId, string code) =>
        Convert.ToBase64String(HMACSHA256.HashData(keys.GetOrCreate("recovery-codes"), Encoding.UTF8.GetBytes($"{userId}\n{NormalizeRecoveryCode(code)}")));

    private async Task<byte[]?> ReadKeyAsync(string userId, string name, CancellationToken ct)
    {
        var row = await db.UserTokens.AsNoTracking()
            .Where(t => t.UserId == userId && t.LoginProvider == Provider && t.Name == name)
            .Select(t => t.Value).FirstOrDefaultAsync(ct).ConfigureAwait(false);
        if (string.IsNullOrEmpty(row))
        {
            return null;
        }
        try
        {
            return protector.Unprotect(userId, Purpose, Convert.FromBase64String(row));
        }
        catch (Exception e) when (e is TemplateIntegrityException or FormatException)
        {
            throw new GalleryException("The stored authenticator secret does not decrypt (altered, or the key in the secrets folder changed). An Admin can reset this account's two-factor sign-in.");
        }
    }

    private Task<Microsoft.AspNetCore.Identity.IdentityUserToken<string>?> FindAsync(string userId, string name, CancellationToken ct) =>
        db.UserTokens.FirstOrDefaultAsync(t => t.UserId == userId && t.LoginProvider == Provider && t.Name == name, ct);

    private async Task SetAsync(string userId, string name, string value, CancellationToken ct)
    {
        var row = await FindAsync(userId, name, ct).ConfigureAwait(false);
        if (row is null)
        {
            db.UserTokens.Add(new() { UserId = userId, LoginProvider = Provider, Name = name, Value = value });
        }
        else
        {
            row.Value = value;
        }
        await db.SaveChangesAsync(ct).ConfigureAwait(false);
    }
}
