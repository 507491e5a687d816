using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Mote.Gallery;
using Mote.Gallery.Security;
using Mote.Gallery.Users;

namespace Mote.Cli.Commands;

/// <summary><c>mote users add|list</c>: portal accounts from the server's terminal.</summary>
internal static class UsersCommand
{
    public static Command Build(TextReader input, TextWriter output, TextWriter error)
    {
        var users = new Command("users", "Manage portal accounts.");
        users.Subcommands.Add(BuildAdd(input, output, error));
        users.Subcommands.Add(BuildList(output, error));
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
            await output.WriteLineAsync($"{"EMAIL".PadRight(width)}  {"ROLE",-8}  {"CREATED (UTC)",-16}  STATUS").ConfigureAwait(false);
            foreach (var u in all)
            {
                var created = u.CreatedUtc.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
                await output.WriteLineAsync($"{u.Email.PadRight(width)}  {string.Join("+", u.Roles),-8}  {created,-16}  {(u.LockedOut ? "locked out" : "active")}").ConfigureAwait(false);
            }
        }, ct).ConfigureAwait(false));
        return list;
    }

    /// <summary>Reads one line; from a terminal without echo, from a pipe or file as is.</summary>
    private static string? ReadPassword(TextReader input, TextWriter error)
    {
        if (!ReferenceEquals(input, Console.In) || Console.IsInputRedirected)
        {
            return input.ReadLine();
        }
        error.Write("Password: ");
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
