using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Mote.Gallery;
using Mote.Gallery.Security;
using Mote.Gallery.Users;

namespace Mote.Cli.Commands;

/// <summary><c>mote users add|list|disable|enable|reset-password|end-sessions|reset-mfa</c>: portal accounts from the server's terminal.</summary>
internal static class UsersCommand
{
    public static Command Build(TextReader input, TextWriter output, TextWriter error)
    {
        var users = new Command("users", "Manage portal accounts.");
        users.Subcommands.Add(BuildAdd(input, output, error));
        users.Subcommands.Add(BuildList(output, error));
        users.Subcommands.Add(BuildAction("disable", "Disable an account: it cannot sign in, and its sessions end.", output, error,
            async (services, actor, user, ct) =>
            {
                await services.GetRequiredService<DisableUser>().ExecuteAsync(actor, user.Id, ct).ConfigureAwait(false);
                return $"Disabled {user.Email}; its sessions have ended.";
            }));
        users.Subcommands.Add(BuildAction("enable", "Enable a disabled account again (also lifts a lock-out after failed sign-ins).", output, error,
            async (services, actor, user, ct) =>
            {
                await services.GetRequiredService<EnableUser>().ExecuteAsync(actor, user.Id, ct).ConfigureAwait(false);
                return $"Enabled {user.Email}.";
            }));
        users.Subcommands.Add(BuildAction("reset-password", "Issue a one-time link (valid 24 h) with which the account's owner sets a new password.", output, error,
            async (services, actor, user, ct) =>
            {
                var link = await services.GetRequiredService<IssuePasswordReset>().ExecuteAsync(actor, user.Id, ct).ConfigureAwait(false);
                return $"One-time password-reset link for {link.Email}, valid until {link.ExpiresUtc.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC "
                    + $"(append it to the portal's address, e.g. https://mote.example.org/):{Environment.NewLine}{link.Path}";
            }));
        users.Subcommands.Add(BuildAction("end-sessions", "Sign an account out everywhere (every cookie and open tab); it can sign in again.", output, error,
            async (services, actor, user, ct) =>
            {
                await services.GetRequiredService<EndUserSessions>().ExecuteAsync(actor, user.Id, ct).ConfigureAwait(false);
                return $"Ended every session of {user.Email}.";
            }));
        users.Subcommands.Add(BuildAction("reset-mfa", "Remove an account's authenticator and recovery codes (a lost phone); its sessions end, and an Admin must set up a new authenticator at its next sign-in.", output, error,
            async (services, actor, user, ct) =>
            {
                await services.GetRequiredService<ResetUserMfa>().ExecuteAsync(actor, user.Id, ct).ConfigureAwait(false);
                return $"Reset two-factor sign-in of {user.Email}; its sessions have ended.";
            }));
        return users;
    }

    private static Command BuildAdd(TextReader input, TextWriter output, TextWriter error)
    {
        var role = new Option<string>("--role") { Description = $"One of {string.Join(", ", Roles.All)}.", Required = true };
        var email = new Option<string>("--email") { Description = "The account's e-mail address (its user name).", Required = true };
        var db = MoteCommand.DatabaseOption();
        var add = new Command("add", "Create an account. The password is read from standard input (one line; at least 12 characters).")
        {
            role, email, db,
        };
        add.SetAction(async (parse, ct) =>
        {
            var password = ReadPassword(input, error);
            if (string.IsNullOrEmpty(password))
            {
                await error.WriteLineAsync("No password given: write it to standard input, e.g. `mote users add ... < password.txt`.").ConfigureAwait(false);
                return 2;
            }
            return await GalleryCommand.RunAsync(parse.GetValue(db), error, async services =>
            {
                var created = await services.GetRequiredService<CreateUser>()
                    .ExecuteAsync(Actor.Terminal(Environment.UserName), parse.GetValue(email)!, password, parse.GetValue(role)!, ct).ConfigureAwait(false);
                await output.WriteLineAsync($"Created {created.Email} as {created.Roles[0]} (id {created.Id}).").ConfigureAwait(false);
            }, ct).ConfigureAwait(false);
        });
        return add;
    }

    private static Command BuildList(TextWriter output, TextWriter error)
    {
        var db = MoteCommand.DatabaseOption();
        var list = new Command("list", "List accounts with their roles.") { db };
        list.SetAction(async (parse, ct) => await GalleryCommand.RunAsync(parse.GetValue(db), error, async services =>
        {
            var all = await services.GetRequiredService<ListUsers>().ExecuteAsync(Actor.Terminal(Environment.UserName), ct).ConfigureAwait(false);
            if (all.Count == 0)
            {
                await output.WriteLineAsync("No accounts yet. Create one with `mote users add --role Admin --email <email>`, or use the setup link the portal prints.").ConfigureAwait(false);
                return;
            }
            var width = Math.Max(5, all.Max(u => u.Email.Length));
            await output.WriteLineAsync($"{"EMAIL".PadRight(width)}  {"ROLE",-8}  {"CREATED (UTC)",-16}  STATUS      MFA").ConfigureAwait(false);
            foreach (var u in all)
            {
                var created = u.CreatedUtc.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
                await output.WriteLineAsync($"{u.Email.PadRight(width)}  {string.Join("+", u.Roles),-8}  {created,-16}  {u.Status,-10}  {(u.MfaEnabled ? "on" : "off")}").ConfigureAwait(false);
            }
        }, ct).ConfigureAwait(false));
        return list;
    }

    /// <summary>A subcommand that finds one account by <c>--email</c> and runs one use case on it as the terminal.</summary>
    private static Command BuildAction(string name, string description, TextWriter output, TextWriter error,
        Func<IServiceProvider, Actor, UserSummary, CancellationToken, Task<string>> action)
    {
        var email = new Option<string>("--email") { Description = "The account's e-mail address.", Required = true };
        var db = MoteCommand.DatabaseOption();
        var command = new Command(name, description) { email, db };
        command.SetAction(async (parse, ct) => await GalleryCommand.RunAsync(parse.GetValue(db), error, async services =>
        {
            var actor = Actor.Terminal(Environment.UserName);
            var wanted = parse.GetValue(email)!.Trim();
            var user = (await services.GetRequiredService<ListUsers>().ExecuteAsync(actor, ct).ConfigureAwait(false))
                .FirstOrDefault(u => string.Equals(u.Email, wanted, StringComparison.OrdinalIgnoreCase))
                ?? throw new GalleryException($"No account has the e-mail {wanted}. `mote users list` shows them.");
            await output.WriteLineAsync(await action(services, actor, user, ct).ConfigureAwait(false)).ConfigureAwait(false);
        }, ct).ConfigureAwait(false));
        return command;
    }

    /// <summary>Reads one line; from a terminal without echo (after <paramref name="prompt"/>), from a pipe or file as is.</summary>
    internal static string? ReadPassword(TextReader input, TextWriter error, string prompt = "Password: ")
    {
        if (!ReferenceEquals(input, Console.In) || Console.IsInputRedirected)
        {
            return input.ReadLine();
        }
        error.Write(prompt);
        var chars = new List<char>();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter)
            {
                break;
            }
            if (key.Key == ConsoleKey.Backspace)
            {
                if (chars.Count > 0)
                {
                    chars.RemoveAt(chars.Count - 1);
                }
                continue;
            }
            chars.Add(key.KeyChar);
        }
        error.WriteLine();
        return new string(chars.ToArray());
    }
}
