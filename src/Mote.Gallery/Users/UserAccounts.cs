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
