using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Mote.Gallery.ApiKeys;
using Mote.Gallery.Security;

namespace Mote.Cli.Commands;

/// <summary><c>mote apikeys create|list|revoke</c>: keys for door controllers and kiosks, for automated provisioning.</summary>
internal static class ApiKeysCommand
{
    public static Command Build(TextWriter output, TextWriter error)
    {
        var command = new Command("apikeys", "Manage REST API keys.");
        command.Subcommands.Add(BuildCreate(output, error));
        command.Subcommands.Add(BuildList(output, error));
        command.Subcommands.Add(BuildRevoke(output, error));
        return command;
    }

    private static Command BuildCreate(TextWriter output, TextWriter error)
    {
        var scope = new Option<string[]>("--scope") { Description = "verify, identify or manage; repeat or separate with commas.", Required = true, AllowMultipleArgumentsPerToken = true };
        var expires = new Option<string?>("--expires") { Description = "Expiry date (UTC), e.g. 2027-06-30 or 2027-06-30T18:00." };
        var name = new Option<string?>("--name") { Description = "What the key is for (default: 'created from the terminal')." };
        var db = MoteCommand.DatabaseOption();
        var create = new Command("create", "Create a key and print it once; only a keyed hash is stored.") { scope, expires, name, db };
        create.SetAction(async (parse, ct) => await GalleryCommand.RunAsync(parse.GetValue(db), error, async services =>
        {
            var scopes = ScopeText.Parse(parse.GetValue(scope) ?? []);
            var expiry = ParseExpiry(parse.GetValue(expires));
            var created = await services.GetRequiredService<CreateApiKey>()
                .ExecuteAsync(Actor.Terminal(Environment.UserName), parse.GetValue(name) ?? "created from the terminal", scopes, expiry, ct).ConfigureAwait(false);
            await output.WriteLineAsync(created.Key).ConfigureAwait(false);
            await error.WriteLineAsync($"Created key {created.Summary.Prefix} ({ScopeText.Format(created.Summary.Scopes)}). It is shown only this once: store it now.").ConfigureAwait(false);
        }, ct).ConfigureAwait(false));
        return create;
    }

    private static Command BuildList(TextWriter output, TextWriter error)
    {
        var db = MoteCommand.DatabaseOption();
        var list = new Command("list", "List keys (never their secrets).") { db };
        list.SetAction(async (parse, ct) => await GalleryCommand.RunAsync(parse.GetValue(db), error, async services =>
        {
            var keys = await services.GetRequiredService<ListApiKeys>().ExecuteAsync(Actor.Terminal(Environment.UserName), ct).ConfigureAwait(false);
            var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
            await output.WriteLineAsync($"{"PREFIX",-10}  {"SCOPES",-23}  {"STATUS",-8}  {"EXPIRES (UTC)",-16}  {"LAST USED (UTC)",-16}  NAME").ConfigureAwait(false);
            foreach (var k in keys)
            {
                var expiry = k.ExpiresUtc?.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) ?? "never";
                var used = k.LastUsedUtc?.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) ?? "never";
                await output.WriteLineAsync($"{k.Prefix,-10}  {ScopeText.Format(k.Scopes),-23}  {k.Status(now),-8}  {expiry,-16}  {used,-16}  {k.Name}").ConfigureAwait(false);
            }
        }, ct).ConfigureAwait(false));
        return list;
    }

    private static Command BuildRevoke(TextWriter output, TextWriter error)
    {
        var id = new Argument<string>("prefix") { Description = "The key's prefix (as listed) or id." };
        var db = MoteCommand.DatabaseOption();
        var revoke = new Command("revoke", "Revoke a key; it stops working at once.") { id, db };
        revoke.SetAction(async (parse, ct) => await GalleryCommand.RunAsync(parse.GetValue(db), error, async services =>
        {
            var revoked = await services.GetRequiredService<RevokeApiKey>().ExecuteAsync(Actor.Terminal(Environment.UserName), parse.GetValue(id)!, ct).ConfigureAwait(false);
            await output.WriteLineAsync($"Revoked {revoked.Prefix} ({revoked.Name}).").ConfigureAwait(false);
        }, ct).ConfigureAwait(false));
        return revoke;
    }

    private static DateTimeOffset? ParseExpiry(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var value)
            ? value
            : throw new Mote.Gallery.GalleryException($"'{text}' is not a date; write e.g. 2027-06-30 or 2027-06-30T18:00.");
    }
}
