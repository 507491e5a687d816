using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Mote.Gallery.Audit;
using Mote.Gallery.Data;
using Mote.Gallery.Security;

namespace Mote.Gallery.Users;

/// <summary>
/// Creates an account with one role inside a transaction together with its audit event, so a failure
/// (weak password, duplicate e-mail) leaves neither a user nor an audit row behind. Shared by
/// <see cref="CreateUser"/> and <see cref="CompleteSetup"/>.
/// </summary>
public sealed class UserAccounts(MoteDbContext db, UserManager<PortalUser> users, AuditTrail audit, TimeProvider time)
{
    internal async Task<UserSummary> CreateAsync(Actor actor, string email, string password, string role, AuditEventCode code, CancellationToken ct)
    {
        email = email?.Trim() ?? "";
        if (!IsPlausibleEmail(email))
        {
            throw new GalleryException($"'{email}' is not an e-mail address.");
        }
        var canonicalRole = Roles.Normalize(role)
            ?? throw new GalleryException($"Unknown role '{role}'. Roles are: {string.Join(", ", Roles.All)}.");

        var transaction = await db.Database.BeginTransactionAsync(ct).ConfigureAwait(false);
        await using (transaction.ConfigureAwait(false))
        {
            var user = new PortalUser { UserName = email, Email = email, EmailConfirmed = true, CreatedUtc = time.GetUtcNow() };
            Check(await users.CreateAsync(user, password ?? "").ConfigureAwait(false), "create the account");
            Check(await users.AddToRoleAsync(user, canonicalRole).ConfigureAwait(false), "assign the role");
            await audit.AppendAsync(actor, code, user.Id, $"{email} as {canonicalRole}", ct).ConfigureAwait(false);
            await transaction.CommitAsync(ct).ConfigureAwait(false);
            return new UserSummary(user.Id, email, [canonicalRole], user.CreatedUtc, false);
        }
    }

    internal Task<bool> AnyAsync(CancellationToken ct) => db.Users.AnyAsync(ct);

    /// <summary>The account <paramref name="userId"/>, or a <see cref="GalleryException"/> saying it is gone.</summary>
    internal async Task<PortalUser> FindAsync(string userId) =>
        await users.FindByIdAsync(userId ?? "").ConfigureAwait(false) ?? throw new GalleryException("That account no longer exists.");

    /// <summary>Refuses when <paramref name="user"/> is the last Admin who can still sign in: nobody could manage accounts after it.</summary>
    internal async Task EnsureNotLastEnabledAdminAsync(PortalUser user, string what)
    {
        if (!await users.IsInRoleAsync(user, Roles.Admin).ConfigureAwait(false))
        {
            return;
        }
        var enabledAdmins = (await users.GetUsersInRoleAsync(Roles.Admin).ConfigureAwait(false)).Count(u => !AccountState.IsDisabled(u));
        if (enabledAdmins <= 1)
        {
            throw new GalleryException($"{user.Email} is the last Admin who can sign in; make another account Admin before you {what}.");
        }
    }

    internal static void Check(IdentityResult result, string what)
    {
        if (!result.Succeeded)
        {
            // The user name is the e-mail, so Identity reports a duplicate twice ("Username '…' is already taken. Email '…'
            // is already taken."): say it once, as the e-mail.
            var errors = result.Errors.ToList();
            if (errors.Any(e => e.Code == nameof(IdentityErrorDescriber.DuplicateEmail)))
            {
                errors.RemoveAll(e => e.Code == nameof(IdentityErrorDescriber.DuplicateUserName));
            }
            throw new GalleryException($"Could not {what}: {string.Join(" ", errors.Select(e => e.Description))}");
        }
    }

    private static bool IsPlausibleEmail(string email) =>
        email.Length is > 2 and <= 256 && email.IndexOf('@', StringComparison.Ordinal) is > 0 && !email.EndsWith('@') && !email.Any(char.IsWhiteSpace);
}
