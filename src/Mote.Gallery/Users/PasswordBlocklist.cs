using System.Collections.Frozen;
using System.Reflection;
using System.Text;
using Microsoft.AspNetCore.Identity;
using Mote.Gallery.Data;

namespace Mote.Gallery.Users;

/// <summary>
/// Refuses common and breached passwords (NIST SP 800-63B §3.1.1.2, OWASP ASVS 5.0 6.2.4) wherever a password is
/// set: an Identity password validator, so account creation, setup, the CLI and password resets all pass through
/// it. The list (<c>Resources/common-passwords.txt</c>, about 1,100 entries, embedded) is matched after undoing the
/// usual rules people apply to a listed word: lower case, digits and symbols around it (<c>password1234</c>,
/// <c>Summer2026!</c>), letter-for-digit swaps (<c>p@ssw0rd</c>); keyboard and alphabet runs and a short unit
/// repeated (<c>abcabcabcabc</c>) are refused too, as is a password containing the account's own e-mail name.
/// </summary>
public sealed class PasswordBlocklist : IPasswordValidator<PortalUser>
{
    private static readonly Lazy<FrozenSet<string>> Common = new(Load);

    private static readonly string[] Runs =
    [
        "01234567890123456789", "98765432109876543210", "abcdefghijklmnopqrstuvwxyz", "zyxwvutsrqponmlkjihgfedcba",
        "qwertyuiopasdfghjklzxcvbnm", "mnbvcxzlkjhgfdsapoiuytrewq", "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p", "qazwsxedcrfvtgbyhnujmikolp",
        "1q2w3e4r5t6y7u8i9o0p", "q1w2e3r4t5y6u7i8o9p0", "zaq1xsw2cde3vfr4bgt5nhy6mju7",
    ];

    /// <summary>True when <paramref name="password"/> is common or built from a common one; <paramref name="email"/> (optional) adds the account's own name.</summary>
    public static bool IsBlocked(string password, string? email = null)
    {
        ArgumentNullException.ThrowIfNull(password);
        var lower = password.Trim().ToLowerInvariant();
        if (lower.Length == 0)
        {
            return false;
        }
        var core = lower.Trim("0123456789!@#$%^&*()-_=+.,;:?~'\" ".ToCharArray());
        var words = new[] { lower, core, Unleet(lower), Unleet(core) };
        if (words.Any(w => w.Length >= 3 && Common.Value.Contains(w)))
        {
            return true;
        }
        if (Runs.Any(run => run.Contains(lower, StringComparison.Ordinal)) || IsRepetition(lower))
        {
            return true;
        }
        var name = email?.Split('@')[0].Trim().ToLowerInvariant();
        return name is { Length: >= 4 } && lower.Contains(name, StringComparison.Ordinal);
    }

    /// <summary>Refuses a password <see cref="IsBlocked"/> finds common or guessable for <paramref name="user"/>'s e-mail, with error code <c>CommonPassword</c>.</summary>
    public Task<IdentityResult> ValidateAsync(UserManager<PortalUser> manager, PortalUser user, string? password)
    {
        ArgumentNullException.ThrowIfNull(user);
        return Task.FromResult(password is not null && IsBlocked(password, user.Email)
            ? IdentityResult.Failed(new IdentityError
            {
                Code = "CommonPassword",
                Description = "This password is too common or too easy to guess (it is on the list of common and breached passwords, or built from one). Choose a longer phrase of unrelated words.",
            })
            : IdentityResult.Success);
    }

    /// <summary>A unit of 1-4 characters said again and again (<c>abcabcabcabc</c>, <c>passpasspass</c> has 4).</summary>
    private static bool IsRepetition(string s)
    {
        for (var unit = 1; unit <= 4 && unit * 2 <= s.Length; unit++)
        {
            var repeated = true;
            for (var i = unit; i < s.Length && repeated; i++)
            {
                repeated = s[i] == s[i % unit];
            }
            if (repeated)
            {
                return true;
            }
        }
        return false;
    }

    private static string Unleet(string s)
    {
        var b = new StringBuilder(s.Length);
        foreach (var c in s)
        {
            b.Append(c switch
            {
                '0' => 'o', '1' => 'i', '3' => 'e', '4' => 'a', '5' => 's', '7' => 't', '@' => 'a', '$' => 's', '!' => 'i',
                _ => c,
            });
        }
        return b.ToString();
    }

    private static FrozenSet<string> Load()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("Mote.Gallery.Users.common-passwords.txt")
            ?? throw new InvalidOperationException("The embedded common-password list is missing from Mote.Gallery.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var set = new HashSet<string>(StringComparer.Ordinal);
        while (reader.ReadLine() is { } line)
        {
            line = line.Trim();
            if (line.Length > 0 && !line.StartsWith('#'))
            {
                set.Add(line.ToLowerInvariant());
            }
        }
        return set.ToFrozenSet(StringComparer.Ordinal);
    }
}
