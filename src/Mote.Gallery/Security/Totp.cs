using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Mote.Gallery.Security;

/// <summary>
/// Time-based one-time passwords (RFC 6238 over RFC 4226's HOTP): the codes authenticator apps show. Pure functions;
/// time comes from the caller (<see cref="StepAt"/>). The product uses the authenticator-app defaults — HMAC-SHA1,
/// 6 digits, 30-second steps — because those are what every app supports; SHA-256/512 and 8 digits exist for the
/// RFC's test vectors.
/// </summary>
public static class Totp
{
    /// <summary>Seconds per time step (RFC 6238's default, and every authenticator app's).</summary>
    public const int StepSeconds = 30;

    /// <summary>Digits per code.</summary>
    public const int Digits = 6;

    /// <summary>The time step that contains <paramref name="time"/> (Unix seconds / 30).</summary>
    public static long StepAt(DateTimeOffset time) => Math.DivRem(time.ToUnixTimeSeconds(), StepSeconds, out var rem) - (rem < 0 ? 1 : 0);

    /// <summary>The code for time step <paramref name="step"/> under <paramref name="key"/>, zero-padded to <paramref name="digits"/>.</summary>
    public static string Code(ReadOnlySpan<byte> key, long step, int digits = Digits, string algorithm = "SHA1")
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(digits, 6);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(digits, 8);
        Span<byte> counter = stackalloc byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(counter, step);
        Span<byte> mac = stackalloc byte[64];
        var written = algorithm switch
        {
            "SHA1" => HMACSHA1.HashData(key, counter, mac),
            "SHA256" => HMACSHA256.HashData(key, counter, mac),
            "SHA512" => HMACSHA512.HashData(key, counter, mac),
            _ => throw new ArgumentException($"Unknown TOTP algorithm '{algorithm}'.", nameof(algorithm)),
        };
        // RFC 4226 §5.3 dynamic truncation.
        var offset = mac[written - 1] & 0x0f;
        var binary = ((mac[offset] & 0x7f) << 24) | (mac[offset + 1] << 16) | (mac[offset + 2] << 8) | mac[offset + 3];
        var modulo = (int)Math.Pow(10, digits);
        return (binary % modulo).ToString(CultureInfo.InvariantCulture).PadLeft(digits, '0');
    }

    /// <summary>
    /// The step within <paramref name="window"/> steps of <paramref name="now"/> (either side) whose code is
    /// <paramref name="code"/> and which is later than <paramref name="lastUsedStep"/>, or null. Steps at or before the
    /// last used one are never accepted: a code seen over a shoulder or in a log cannot be replayed.
    /// </summary>
    public static long? Match(ReadOnlySpan<byte> key, string? code, long now, long lastUsedStep, int window = 1)
    {
        var presented = Normalize(code);
        if (presented.Length != Digits)
        {
            return null;
        }
        long? found = null;
        var presentedBytes = Encoding.ASCII.GetBytes(presented);
        for (var step = now - window; step <= now + window; step++)
        {
            // Every candidate is computed and compared in fixed time, so the answer time does not tell which step matched.
            var matches = CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Code(key, step)), presentedBytes);
            if (matches && step > lastUsedStep && found is null)
            {
                found = step;
            }
        }
        return found;
    }

    /// <summary>A typed code without spaces or dashes (apps show "123 456").</summary>
    public static string Normalize(string? code) =>
        new((code ?? "").Where(c => !char.IsWhiteSpace(c) && c != '-').ToArray());

    /// <summary>
    /// The <c>otpauth://</c> address an authenticator app reads from the QR code (Key Uri Format): issuer and account
    /// label, base32 secret, SHA1, 6 digits, 30 s.
    /// </summary>
    public static string AuthenticatorUri(string issuer, string account, ReadOnlySpan<byte> key)
    {
        var label = Uri.EscapeDataString(issuer) + ":" + Uri.EscapeDataString(account);
        return $"otpauth://totp/{label}?secret={Base32.Encode(key)}&issuer={Uri.EscapeDataString(issuer)}&algorithm=SHA1&digits={Digits}&period={StepSeconds}";
    }
}

/// <summary>RFC 4648 base32 without padding: how authenticator secrets are typed and put in QR codes.</summary>
public static class Base32
{
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

    /// <summary>Encodes <paramref name="data"/> in upper-case base32, without padding.</summary>
    public static string Encode(ReadOnlySpan<byte> data)
    {
        var result = new StringBuilder((data.Length * 8 + 4) / 5);
        int buffer = 0, bits = 0;
        foreach (var b in data)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                result.Append(Alphabet[(buffer >> (bits - 5)) & 31]);
                bits -= 5;
            }
        }
        if (bits > 0)
        {
            result.Append(Alphabet[(buffer << (5 - bits)) & 31]);
        }
        return result.ToString();
    }

    /// <summary>Decodes <paramref name="text"/> (case, spaces and padding ignored).</summary>
    /// <exception cref="FormatException">A character outside the alphabet.</exception>
    public static byte[] Decode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var output = new List<byte>(text.Length * 5 / 8);
        int buffer = 0, bits = 0;
        foreach (var c in text.ToUpperInvariant())
        {
            if (c is '=' || char.IsWhiteSpace(c))
            {
                continue;
            }
            var value = Alphabet.IndexOf(c, StringComparison.Ordinal);
            if (value < 0)
            {
                throw new FormatException($"'{c}' is not a base32 character.");
            }
            buffer = (buffer << 5) | value;
            bits += 5;
            if (bits >= 8)
            {
                output.Add((byte)(buffer >> (bits - 8)));
                bits -= 8;
            }
        }
        return [.. output];
    }
}
