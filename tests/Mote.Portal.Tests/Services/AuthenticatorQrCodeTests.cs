using Mote.Gallery.Security;
using Mote.Portal.Services;

namespace Mote.Portal.Tests.Services;

public sealed class AuthenticatorQrCodeTests
{
    [Fact]
    public void Svg_AuthenticatorUri_IsInlineSvgWithoutStyleAttributes()
    {
        var uri = Totp.AuthenticatorUri("Mote Portal", "ada@example.org", new byte[20]);

        var svg = AuthenticatorQrCode.Svg(uri);

        Assert.StartsWith("<svg", svg, StringComparison.Ordinal);
        Assert.Contains("viewBox=", svg, StringComparison.Ordinal);
        // Presentation attributes only: a strict CSP (no 'unsafe-inline' styles) leaves it intact.
        Assert.DoesNotContain("style=", svg, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<script", svg, StringComparison.OrdinalIgnoreCase);
        Assert.NotEqual(svg, AuthenticatorQrCode.Svg(Totp.AuthenticatorUri("Mote Portal", "bob@example.org", new byte[20])));
    }
}
