using Mote.Gallery.Audit;
using Mote.Gallery.Security;

namespace Mote.Gallery.Users;

/// <summary>
/// Creates the first Admin through the one-time setup link. Refused when the token is wrong or spent,
/// or when any account already exists; writes one <see cref="AuditEventCode.FirstAdminCreatedThroughSetup"/>
/// event. Serialised, so two browsers racing with the same link create one Admin.
/// </summary>
public sealed class CompleteSetup(UserAccounts accounts, SetupToken token)
{
    private static readonly SemaphoreSlim Gate = new(1, 1);

    /// <param name="presentedToken">The token from the setup link.</param>
    /// <param name="email">The first Admin's e-mail address, which is also their user name.</param>
    /// <param name="password">Their password; the portal's password validators apply.</param>
    /// <param name="remote">The client address, recorded with the event; null when unknown.</param>
    /// <param name="ct">Cancels the request.</param>
    /// <returns>The new Admin account. The link is spent.</returns>
    public async Task<UserSummary> ExecuteAsync(string presentedToken, string email, string password, string? remote, CancellationToken ct = default)
    {
        await Gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (!token.Matches(presentedToken))
            {
                throw new GalleryException("This setup link is not valid or has already been used. Sign in instead, or create an account with `mote users add`.");
            }
            if (await accounts.AnyAsync(ct).ConfigureAwait(false))
            {
                token.Revoke();
                throw new GalleryException("An account already exists, so the setup link no longer works. Sign in instead.");
            }
            var admin = await accounts.CreateAsync(Actor.Anonymous(remote), email, password, Roles.Admin, AuditEventCode.FirstAdminCreatedThroughSetup, ct).ConfigureAwait(false);
            token.Revoke();
            return admin;
        }
        finally
        {
            Gate.Release();
        }
    }
}
