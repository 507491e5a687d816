using System.Net;
using System.Text.RegularExpressions;

namespace Mote.Portal.Tests.Infrastructure;

/// <summary>Submits a server-rendered form the way a browser does: GET the page, keep its hidden fields
/// (antiforgery token, Blazor form handler), add the visible fields, POST back to the same address.</summary>
public static partial class FormPost
{
    public static async Task<HttpResponseMessage> SubmitAsync(HttpClient client, string pageUrl, IReadOnlyDictionary<string, string> fields)
    {
        ArgumentNullException.ThrowIfNull(client);
        using var page = await client.GetAsync(pageUrl);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        var form = new Dictionary<string, string>();
        foreach (Match hidden in HiddenInput().Matches(html))
        {
            form[WebUtility.HtmlDecode(hidden.Groups["name"].Value)] = WebUtility.HtmlDecode(hidden.Groups["value"].Value);
        }
        Assert.True(form.ContainsKey("__RequestVerificationToken"), "The form carries no antiforgery token.");
        foreach (var (key, value) in fields)
        {
            form[key] = value;
        }
        return await client.PostAsync(pageUrl, new FormUrlEncodedContent(form));
    }

    [GeneratedRegex("<input type=\"hidden\" name=\"(?<name>[^\"]+)\" value=\"(?<value>[^\"]*)\"")]
    private static partial Regex HiddenInput();
}
