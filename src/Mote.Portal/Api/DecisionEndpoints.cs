using Microsoft.AspNetCore.Mvc;
using Mote.Gallery.ApiKeys;
using Mote.Gallery.Decisions;
using Mote.Gallery.Engine;
using Mote.Gallery.People;
using Mote.Gallery.Security;

namespace Mote.Portal.Api;

/// <summary><c>POST /api/v1/verify</c> (1:1) and <c>POST /api/v1/identify</c> (1:N). Each stores a decision and one audit event (in the use case).</summary>
internal static class DecisionEndpoints
{
    public static void MapDecisionEndpoints(this RouteGroupBuilder api)
    {
        api.MapPost("/verify", async Task<IResult> (HttpContext http, [FromForm] string? personId, [FromForm] string? name, [FromForm] int? faceIndex, IFormFile? image, VerifyProbe verify, CancellationToken ct) =>
            {
                var person = string.IsNullOrWhiteSpace(personId) ? name : personId;
                if (string.IsNullOrWhiteSpace(person))
                {
                    return ApiProblems.Problem(StatusCodes.Status400BadRequest, "Person missing", "Say whom the probe claims to be: send the field 'personId' or 'name'.");
                }
                if (faceIndex is < 0)
                {
                    return ApiProblems.Problem(StatusCodes.Status400BadRequest, "Invalid faceIndex", $"'faceIndex' counts faces from 0 (the largest); {faceIndex} is not one.");
                }
                var (photo, refusal) = await ApiUploads.ReadAsync(image, "the probe photo", ct).ConfigureAwait(false);
                if (refusal is not null)
                {
                    return refusal;
                }
                var result = await verify.ExecuteAsync(ApiActor.From(http.User), person, photo, faceIndex, ct).ConfigureAwait(false);
                return Results.Ok(VerifyResponse.From(result));
            })
            .RequiresScope(ApiKeyScopes.Verify, Permission.Verify)
            .WithName("Verify")
            .WithSummary("1:1 verification: is the picked face (default: the largest usable one) in the photo the named person?")
            .WithDescription($"Multipart form: 'personId' (an id or external id; or 'name', refused when several people share it), 'image' ({PhotoPolicy.Description}) and optional 'faceIndex' (0 = the largest face; default: the largest face that passes the quality check; a picked face that fails it is refused with 422). The answer's 'face' says which face was used and where. Scores the probe with the person's model-template against their own threshold and stores the decision (not the photo) with one audit event. 'outcome' is 'match' or 'no match', the same words as identify's (since 1.6; 'decision' still says 'accept' or 'reject' for older clients and is deprecated). Needs the 'verify' scope.")
            .Produces<VerifyResponse>()
            .ProducesApiProblems(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound, StatusCodes.Status413PayloadTooLarge, StatusCodes.Status422UnprocessableEntity);

        api.MapPost("/identify", async Task<IResult> (HttpContext http, IFormFile? image, [FromForm] int? top, IdentifyProbe identify, CancellationToken ct) =>
            {
                var k = top ?? 5;
                if (k is < 1 or > 50)
                {
                    return ApiProblems.Problem(StatusCodes.Status400BadRequest, "Invalid top", $"'top' must be 1 to 50, not {k}.");
                }
                var (photo, refusal) = await ApiUploads.ReadAsync(image, "the probe photo", ct).ConfigureAwait(false);
                if (refusal is not null)
                {
                    return refusal;
                }
                var outcome = await identify.ExecuteAsync(ApiActor.From(http.User), photo, k, ct).ConfigureAwait(false);
                return Results.Ok(IdentifyResponse.From(outcome, k));
            })
            .RequiresScope(ApiKeyScopes.Identify, Permission.Identify)
            .WithName("Identify")
            .WithSummary("1:N identification: who, if anyone, is each usable face in the photo?")
            .WithDescription($"Multipart form: 'image' ({PhotoPolicy.Description}) and optional 'top' (1 to 50, default 5). Every face that passes the quality check is searched and decided on its own (one stored decision, not the photo, and one audit event each); 'faces' lists every face, largest first, with its box and status 'match', 'no match' or 'unusable' (with the reason). The top-level fields are the largest usable face's decision: up to 'top' people who pass their own threshold, best first, or 'no match'; 'outcome' (since 1.6, as verify answers it) equals 'decision'. Refused with 422 only when no face is usable. Needs the 'identify' scope.")
            .Produces<IdentifyResponse>()
            .ProducesApiProblems(StatusCodes.Status400BadRequest, StatusCodes.Status413PayloadTooLarge, StatusCodes.Status422UnprocessableEntity);
    }
}
