using System.Net;
using Mote.Gallery.Engine;
using Mote.Gallery.People;
using Mote.Portal.Tests.Infrastructure;

namespace Mote.Portal.Tests.Api;

/// <summary>Refusals as RFC 7807 problem details in the use cases' words; none of them stores anything.</summary>
[Collection(ApiPortalCollection.Name)]
public sealed class ApiErrorTests(ApiPortal api)
{
    [Fact]
    public async Task Identify_NotAnImage_422InThePolicysWords_NothingStored()
    {
        var key = await api.CreateKeyAsync("identify");
        using var client = api.Client(key.Key);
        var (events, decisions) = (api.AuditEvents(), api.Portal.Scalar("SELECT COUNT(*) FROM Decisions"));

        using var response = await client.PostAsync("api/v1/identify", ApiPortal.Form("just some text, not a photo"u8.ToArray()));

        await ApiPortal.AssertProblemAsync(response, HttpStatusCode.UnprocessableEntity, "is not an image");
        Assert.Equal(events, api.AuditEvents());
        Assert.Equal(decisions, api.Portal.Scalar("SELECT COUNT(*) FROM Decisions"));
    }

    [Fact]
    public async Task Identify_RealPhotoCutInTheMiddleWithEndMarkerAppended_422Incomplete_NothingStored()
    {
        // Issue 14 item 13: a camera JPEG cut inside its image data, with FF D9 put back so the end-marker check passes;
        // ImageSharp alone decodes it and pads the missing half grey, and a decision was made on it.
        var keys = await api.CreateKeyAsync("identify");
        using var client = api.Client(keys.Key);
        var photo = await DemoPhotos.ReadAsync("sample1.jpg");
        byte[] cut = [.. photo[..(photo.Length / 2)], 0xFF, 0xD9];
        var (events, decisions) = (api.AuditEvents(), api.Portal.Scalar("SELECT COUNT(*) FROM Decisions"));

        using var identify = await client.PostAsync("api/v1/identify", ApiPortal.Form(cut));

        await ApiPortal.AssertProblemAsync(identify, HttpStatusCode.UnprocessableEntity, "The JPEG file is incomplete: its image data stops after");
        Assert.Equal(events, api.AuditEvents());
        Assert.Equal(decisions, api.Portal.Scalar("SELECT COUNT(*) FROM Decisions"));
    }

    [Fact]
    public async Task Enroll_PhotoWithoutAFace_422NoFace_NothingStored()
    {
        var key = await api.CreateKeyAsync("manage");
        using var client = api.Client(key.Key);
        // A real JPEG of a face-free corner of a demo photo.
        var noFace = await DemoPhotos.CropAsync("sample1.jpg", 0, 0, 160, 160);
        var events = api.AuditEvents();

        using var response = await client.PostAsync("api/v1/people", ApiPortal.Form(noFace, ("name", "Nobody There")));

        await ApiPortal.AssertProblemAsync(response, HttpStatusCode.UnprocessableEntity, "No face was found");
        Assert.Equal(events, api.AuditEvents());
        Assert.Equal(0, api.Portal.Scalar("SELECT COUNT(*) FROM People WHERE Name = 'Nobody There'"));
    }

    [Fact]
    public async Task Verify_UnknownPerson_404InWords()
    {
        var key = await api.CreateKeyAsync("verify");
        using var client = api.Client(key.Key);

        using var response = await client.PostAsync("api/v1/verify", ApiPortal.Form(await DemoPhotos.ReadAsync("sample2.jpg"), ("personId", "no-such-person")));

        await ApiPortal.AssertProblemAsync(response, HttpStatusCode.NotFound, "Nobody called 'no-such-person' is enrolled.");
    }

    [Fact]
    public async Task GetAndErase_UnknownPerson_404()
    {
        var key = await api.CreateKeyAsync("manage");
        using var client = api.Client(key.Key);
        var events = api.AuditEvents();

        using var get = await client.GetAsync("api/v1/people/nobody-at-all");
        using var erase = await client.DeleteAsync("api/v1/people/nobody-at-all");

        await ApiPortal.AssertProblemAsync(get, HttpStatusCode.NotFound, "is enrolled");
        await ApiPortal.AssertProblemAsync(erase, HttpStatusCode.NotFound, "is enrolled");
        Assert.Equal(events, api.AuditEvents());
    }

    [Fact]
    public async Task Verify_MissingFields_400SayingWhichField()
    {
        var key = await api.CreateKeyAsync("verify");
        using var client = api.Client(key.Key);

        using var noPerson = await client.PostAsync("api/v1/verify", ApiPortal.Form(await DemoPhotos.ReadAsync("sample2.jpg")));
        using var noImage = await client.PostAsync("api/v1/verify", ApiPortal.Form(null, ("name", "Someone")));

        await ApiPortal.AssertProblemAsync(noPerson, HttpStatusCode.BadRequest, "'personId' or 'name'");
        await ApiPortal.AssertProblemAsync(noImage, HttpStatusCode.BadRequest, "field 'image'");
    }

    [Theory]
    [InlineData("top=0", "'top' must be 1 to 50")]
    [InlineData("top=abc", "could not be read")]
    public async Task Identify_BadTop_400(string field, string detail)
    {
        var key = await api.CreateKeyAsync("identify");
        using var client = api.Client(key.Key);
        var parts = field.Split('=');

        using var response = await client.PostAsync("api/v1/identify", ApiPortal.Form(await DemoPhotos.ReadAsync("sample2.jpg"), (parts[0], parts[1])));

        await ApiPortal.AssertProblemAsync(response, HttpStatusCode.BadRequest, detail);
    }

    [Fact]
    public async Task People_BadSortOrPaging_400()
    {
        var key = await api.CreateKeyAsync("manage");
        using var client = api.Client(key.Key);

        using var sort = await client.GetAsync("api/v1/people?sort=height");
        using var take = await client.GetAsync("api/v1/people?take=501");

        await ApiPortal.AssertProblemAsync(sort, HttpStatusCode.BadRequest, "Unknown sort 'height'");
        await ApiPortal.AssertProblemAsync(take, HttpStatusCode.BadRequest, "'take' 1 to 500");
    }

    [Fact]
    public async Task Identify_DeclaredBodyOver10MB_413BeforeReadingIt()
    {
        var key = await api.CreateKeyAsync("identify");
        using var client = api.Client(key.Key);

        using var response = await client.PostAsync("api/v1/identify", ApiPortal.Form(new byte[12_000_000]));

        var problem = await ApiPortal.AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, "the limit is 10 MB (10,000,000 bytes).");
        Assert.StartsWith("The upload is too large: 12.0 MB (12,000,", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Enroll_ImageOneByteOverThePolicy_413InThePolicysWords_NothingStored()
    {
        var key = await api.CreateKeyAsync("manage");
        using var client = api.Client(key.Key);
        var events = api.AuditEvents();

        // The body stays under the request cap (image + 64 KiB): the image's own size check answers.
        using var response = await client.PostAsync("api/v1/people", ApiPortal.Form(new byte[PhotoPolicy.MaxBytes + 1], ("name", "Too Big")));

        // The same limit and words as the portal's pages and `mote` (issue 18, item 1).
        await ApiPortal.AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, PhotoPolicy.TooLargeMessage(null, PhotoPolicy.MaxBytes + 1));
        Assert.Equal(events, api.AuditEvents());
        Assert.Equal(0, api.Portal.Scalar("SELECT COUNT(*) FROM People WHERE Name = 'Too Big'"));
    }

    [Fact]
    public async Task Identify_ChunkedBodyOverTheCap_413()
    {
        var key = await api.CreateKeyAsync("identify");
        using var client = api.Client(key.Key);
        using var form = ApiPortal.Form(new byte[11_000_000]);
        // No Content-Length: the server finds out while reading.
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/v1/identify") { Content = new StreamContent(await form.ReadAsStreamAsync()) };
        request.Content.Headers.ContentType = form.Headers.ContentType;
        request.Headers.TransferEncodingChunked = true;

        using var response = await client.SendAsync(request);

        await ApiPortal.AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, "the limit is 10 MB (10,000,000 bytes).");
    }

    [Fact]
    public async Task UnknownApiPath_404ProblemNotThePortalPage()
    {
        var key = await api.CreateKeyAsync("manage");
        using var client = api.Client(key.Key);

        using var response = await client.GetAsync("api/v1/nothing-here");

        await ApiPortal.AssertProblemAsync(response, HttpStatusCode.NotFound, "There is no API endpoint GET /api/v1/nothing-here");
    }

    [Fact]
    public async Task People_OverTheRateLimit_429WithRetryAfter_OtherKeysUnaffected()
    {
        var busy = await api.CreateKeyAsync("manage");
        var calm = await api.CreateKeyAsync("manage");
        using var busyClient = api.Client(busy.Key);
        using var calmClient = api.Client(calm.Key);

        for (var i = 0; i < ApiPortal.PermitLimit; i++)
        {
            using var allowed = await busyClient.GetAsync("api/v1/people");
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        }
        using var refused = await busyClient.GetAsync("api/v1/people");
        using var other = await calmClient.GetAsync("api/v1/people");

        await ApiPortal.AssertProblemAsync(refused, HttpStatusCode.TooManyRequests, $"{ApiPortal.PermitLimit} requests per 600 s");
        var retryAfter = refused.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter.Value.TotalSeconds, 1, 600);
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
    }
}
