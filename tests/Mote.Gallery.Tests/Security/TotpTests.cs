using System.Text;
using Mote.Gallery.Security;

namespace Mote.Gallery.Tests.Security;

/// <summary>RFC 6238 (TOTP) and RFC 4648 (base32) against their published test vectors.</summary>
public sealed class TotpTests
{
    // RFC 6238 Appendix B: the seeds are ASCII "1234567890" repeated to the hash's block of key length.
    private static readonly byte[] Sha1Seed = Encoding.ASCII.GetBytes("12345678901234567890");
    private static readonly byte[] Sha256Seed = Encoding.ASCII.GetBytes("12345678901234567890123456789012");
    private static readonly byte[] Sha512Seed = Encoding.ASCII.GetBytes("1234567890123456789012345678901234567890123456789012345678901234");

    [Theory]
    [InlineData(59L, "94287082", "46119246", "90693936")]
    [InlineData(1111111109L, "07081804", "68084774", "25091201")]
    [InlineData(1111111111L, "14050471", "67062674", "99943326")]
    [InlineData(1234567890L, "89005924", "91819424", "93441116")]
    [InlineData(2000000000L, "69279037", "90698825", "38618901")]
    [InlineData(20000000000L, "65353130", "77737706", "47863826")]
    public void Code_Rfc6238TestVectors_Match(long unixSeconds, string sha1, string sha256, string sha512)
    {
        var step = Totp.StepAt(DateTimeOffset.FromUnixTimeSeconds(unixSeconds));

        Assert.Equal(sha1, Totp.Code(Sha1Seed, step, 8, "SHA1"));
        Assert.Equal(sha256, Totp.Code(Sha256Seed, step, 8, "SHA256"));
        Assert.Equal(sha512, Totp.Code(Sha512Seed, step, 8, "SHA512"));
    }

    [Fact]
    public void Code_SixDigits_IsTheLastSixOfTheEightDigitCode()
    {
        var step = Totp.StepAt(DateTimeOffset.FromUnixTimeSeconds(1111111109));

        Assert.Equal("081804", Totp.Code(Sha1Seed, step));
    }

    [Fact]
    public void Match_OneStepEitherSide_AcceptedTwoStepsAway_Refused()
    {
        const long now = 1_000_000;

        Assert.Equal(now, Totp.Match(Sha1Seed, Totp.Code(Sha1Seed, now), now, long.MinValue));
        Assert.Equal(now - 1, Totp.Match(Sha1Seed, Totp.Code(Sha1Seed, now - 1), now, long.MinValue));
        Assert.Equal(now + 1, Totp.Match(Sha1Seed, Totp.Code(Sha1Seed, now + 1), now, long.MinValue));
        Assert.Null(Totp.Match(Sha1Seed, Totp.Code(Sha1Seed, now - 2), now, long.MinValue));
        Assert.Null(Totp.Match(Sha1Seed, Totp.Code(Sha1Seed, now + 2), now, long.MinValue));
    }

    [Fact]
    public void Match_StepAtOrBeforeTheLastUsed_Refused()
    {
        const long now = 1_000_000;
        var code = Totp.Code(Sha1Seed, now);

        Assert.Null(Totp.Match(Sha1Seed, code, now, lastUsedStep: now));
        Assert.Null(Totp.Match(Sha1Seed, Totp.Code(Sha1Seed, now - 1), now, lastUsedStep: now));
        Assert.Equal(now + 1, Totp.Match(Sha1Seed, Totp.Code(Sha1Seed, now + 1), now, lastUsedStep: now));
    }

    [Theory]
    [InlineData("")]
    [InlineData("12345")]
    [InlineData("1234567")]
    [InlineData(null)]
    public void Match_NotSixDigits_Refused(string? code) =>
        Assert.Null(Totp.Match(Sha1Seed, code, 1_000_000, long.MinValue));

    [Fact]
    public void Match_SpacesInTheCode_Ignored()
    {
        var code = Totp.Code(Sha1Seed, 42);

        Assert.Equal(42, Totp.Match(Sha1Seed, $"{code[..3]} {code[3..]}", 42, long.MinValue));
    }

    [Theory]
    [InlineData("", "")]
    [InlineData("f", "MY")]
    [InlineData("fo", "MZXQ")]
    [InlineData("foo", "MZXW6")]
    [InlineData("foob", "MZXW6YQ")]
    [InlineData("fooba", "MZXW6YTB")]
    [InlineData("foobar", "MZXW6YTBOI")]
    public void Base32_Rfc4648Vectors_RoundTrip(string text, string encoded)
    {
        Assert.Equal(encoded, Base32.Encode(Encoding.ASCII.GetBytes(text)));
        Assert.Equal(text, Encoding.ASCII.GetString(Base32.Decode(encoded.ToLowerInvariant() + "==")));
    }

    [Fact]
    public void AuthenticatorUri_HasIssuerAccountAndSecret()
    {
        var uri = Totp.AuthenticatorUri("Mote Portal", "ada@example.org", Sha1Seed);

        Assert.Equal($"otpauth://totp/Mote%20Portal:ada%40example.org?secret={Base32.Encode(Sha1Seed)}&issuer=Mote%20Portal&algorithm=SHA1&digits=6&period=30", uri);
    }
}
