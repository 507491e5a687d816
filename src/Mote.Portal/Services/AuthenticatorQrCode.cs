using QRCoder;

namespace Mote.Portal.Services;

/// <summary>The authenticator's <c>otpauth://</c> address as a QR code, drawn on the server as SVG (QRCoder): no script, no image request.</summary>
public static class AuthenticatorQrCode
{
    /// <summary>SVG markup for <paramref name="uri"/>: error correction M, 5 px per module, black on white (apps need the contrast in dark mode too).</summary>
    public static string Svg(string uri)
    {
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(uri, QRCodeGenerator.ECCLevel.M);
        using var svg = new SvgQRCode(data);
        return svg.GetGraphic(5);
    }
}
