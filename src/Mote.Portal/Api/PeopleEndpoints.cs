using Microsoft.AspNetCore.Mvc;
using Mote.Gallery.ApiKeys;
using Mote.Gallery.Engine;
using Mote.Gallery.Erasure;
using Mote.Gallery.People;
using Mote.Gallery.Security;

namespace Mote.Portal.Api;

/// <summary><c>/api/v1/people</c>: list, read, enroll, edit and erase people (the 'manage' scope).</summary>
internal static class PeopleEndpoints
{
    public static void MapPeopleEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/people", async Task<IResult> (HttpContext http, string? search, string? sort, int? skip, int? take, ListPeople list, CancellationToken ct) =>
            {
                var order = (sort ?? "name").Trim().ToLowerInvariant() switch
                {
                    "name" => (PeopleSort?)PeopleSort.Name,
                    "newest" => PeopleSort.EnrolledNewestFirst,
                    "size" => PeopleSort.TemplateSize,
                    _ => null,
                };
                if (order is null)
                {
                    return ApiProblems.Problem(StatusCodes.Status400BadRequest, "Invalid sort", $"Unknown sort '{sort}': use name, newest or size.");
                }
                var (from, size) = (skip ?? 0, take ?? 50);
                if (from < 0 || size is < 1 or > 500)
                {
                    return ApiProblems.Problem(StatusCodes.Status400BadRequest, "Invalid paging", "'skip' must be 0 or more and 'take' 1 to 500.");
                }
                var (rows, total) = await list.ExecuteAsync(ApiActor.From(http.User), search, order.Value, from, size, ct).ConfigureAwait(false);
                return Results.Ok(new PeoplePage(total, from, size, rows.Select(PersonResponse.From).ToArray()));
            })
            .RequiresScope(ApiKeyScopes.Manage, Permission.ViewGallery)
            .WithName("ListPeople")
            .WithSummary("Lists enrolled people: search by name, sort, page.")
            .WithDescription("Query: 'search' (part of a name or external id, case-insensitive), 'sort' (name, newest or size; default name), 'skip' (default 0) and 'take' (1 to 500, default 50). No biometric data is returned. Needs the 'manage' scope.")
            .Produces<PeoplePage>()
            .ProducesApiProblems(StatusCodes.Status400BadRequest);

        api.MapGet("/people/{id}", async Task<IResult> (HttpContext http, string id, InspectTemplate inspect, CancellationToken ct) =>
                Results.Ok(PersonDetailsResponse.From(await inspect.ExecuteAsync(ApiActor.From(http.User), id, ct).ConfigureAwait(false))))
            .RequiresScope(ApiKeyScopes.Manage, Permission.ViewGallery)
            .WithName("GetPerson")
            .WithSummary("One enrolled person (by id, external id or name) with a description of their template.")
            .WithDescription("Returns the person and what their stored template is (architecture, size, backbone, population pack, seed), never its weights. Needs the 'manage' scope.")
            .Produces<PersonDetailsResponse>()
            .ProducesApiProblems(StatusCodes.Status404NotFound);

        api.MapPost("/people", async Task<IResult> (
                HttpContext http,
                [FromForm] string? name,
                IFormFile? image,
                [FromForm] int? faceIndex,
                [FromForm] string? gender,
                [FromForm] string? ethnicity,
                [FromForm] string? ageBand,
                [FromForm] string? balance,
                [FromForm] long? seed,
                [FromForm] string? externalId,
                EnrollmentQueue enrollments,
                IHostApplicationLifetime lifetime,
                CancellationToken ct) =>
            {
                var (photo, refusal) = await ApiUploads.ReadAsync(image, "the reference photo", ct).ConfigureAwait(false);
                if (refusal is not null)
                {
                    return refusal;
                }
                var request = new EnrollmentRequest(name ?? "", photo, faceIndex, new DeclaredAttributes(gender, ethnicity, ageBand), BalanceText.Parse(balance), seed, externalId);
                // Through the one enrollment queue, like the portal's page: trainings run one at a time; a full queue answers 503.
                // A stopping server stops waiting (503, the job stays queued) instead of holding the stop for the whole queue.
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct, lifetime.ApplicationStopping);
                var result = await enrollments.EnrollAndWaitAsync(ApiActor.From(http.User), request, wait.Token).ConfigureAwait(false);
                return Results.Created($"/api/v1/people/{result.Person.Id}", EnrollResponse.From(result));
            })
            .RequiresScope(ApiKeyScopes.Manage, Permission.ManageGallery)
            .WithName("EnrollPerson")
            .WithSummary("Enrolls a person from one photo: trains and stores their model-template.")
            .WithDescription($"Multipart form: 'name', optional 'externalId' (an employee number; up to 64 characters, unique; equal names are allowed when external ids differ, API 1.2), 'image' ({PhotoPolicy.Description}; not kept), optional 'faceIndex' (0 = largest face), declared 'gender' (female, male), 'ethnicity' (white, black, asian, indian, other), 'ageBand' (0-17, 18-59, 60+), 'balance' (negative-sample weights by population-pack group, e.g. 'female|white|18-59=2,male|white|18-59=1'; 'pos:group=w' weights the positive variation; groups left out weigh 0, parts left out stay equal) and 'seed'. Training takes seconds; enrollments run one at a time, in turn with the portal's (a durable job); the answer comes when the person is stored, with one audit event. When {EnrollmentQueue.Capacity} enrollments already wait, the answer is 503 with Retry-After and nothing is queued. Needs the 'manage' scope.")
            .Produces<EnrollResponse>(StatusCodes.Status201Created)
            .ProducesApiProblems(StatusCodes.Status400BadRequest, StatusCodes.Status409Conflict, StatusCodes.Status413PayloadTooLarge, StatusCodes.Status422UnprocessableEntity, StatusCodes.Status503ServiceUnavailable);

        api.MapPost("/people/batch", async Task<IResult> (HttpContext http, IFormFile? archive, EnrollPeopleInBulk bulk, CancellationToken ct) =>
            {
                if (archive is null)
                {
                    return ApiProblems.Problem(StatusCodes.Status400BadRequest, "Archive missing",
                        $"Send the batch as the multipart/form-data field 'archive': a ZIP of at most {BulkEnrollmentBatch.MaxArchiveBytes:N0} bytes holding the photos and, optionally, a CSV (name,photo,external_id,gender,ethnicity,age_band) at its top.");
                }
                if (archive.Length > BulkEnrollmentBatch.MaxArchiveBytes)
                {
                    return ApiProblems.From(BulkEnrollmentBatch.TooLarge(archive.FileName, archive.Length));
                }
                var stream = archive.OpenReadStream();
                await using (stream.ConfigureAwait(false))
                {
                    using var batch = await BulkEnrollmentBatch.FromZipUploadAsync(stream, string.IsNullOrWhiteSpace(archive.FileName) ? "the ZIP" : Path.GetFileName(archive.FileName), ct).ConfigureAwait(false);
                    var summary = await bulk.ExecuteAsync(ApiActor.From(http.User), batch, null, ct).ConfigureAwait(false);
                    return Results.Ok(BatchEnrollResponse.From(summary));
                }
            })
            .RequiresScope(ApiKeyScopes.Manage, Permission.ManageGallery)
            .WithName("EnrollPeopleInBulk")
            .WithSummary("Enrolls many people from one ZIP; answers one result per row (API 1.4).")
            .WithDescription($"Multipart form: 'archive', a ZIP of at most 100 MB and {BulkEnrollmentBatch.MaxRows} people. With one CSV at its top (columns name, photo, optional external_id, gender, ethnicity, age_band; 'photo' is the path inside the ZIP), one person per row; without, one person per photo at its top (named after the file: 'Ada_Lovelace_0001.jpg' is 'Ada Lovelace') and one per folder (named after the folder, from its first photo by name). Each photo follows the single enrollment's rules ({PhotoPolicy.Description}), and each person is enrolled as POST /people enrolls one, with one audit event each. Rows run one after another; the answer (200) comes when all are done and says per row 'enrolled', 'already enrolled' (skipped: same external id and name, or same name and the very same photo) or 'failed' with why in words; a failed row stores nothing. Send the same ZIP again to resume. Needs the 'manage' scope.")
            .DisableAntiforgery()
            .Produces<BatchEnrollResponse>()
            .ProducesApiProblems(StatusCodes.Status400BadRequest, StatusCodes.Status413PayloadTooLarge, StatusCodes.Status422UnprocessableEntity);

        api.MapPatch("/people/{id}", async Task<IResult> (HttpContext http, string id, [FromBody] PersonPatchRequest body, EditPerson edit, CancellationToken ct) =>
            {
                var result = await edit.ExecuteAsync(ApiActor.From(http.User),
                    new PersonEdit(id, null, body.Name, body.ExternalId, body.Gender, body.Ethnicity, body.AgeBand), ct).ConfigureAwait(false);
                return Results.Ok(PersonPatchResponse.From(result));
            })
            .RequiresScope(ApiKeyScopes.Manage, Permission.ManageGallery)
            .WithName("EditPerson")
            .WithSummary("Edits an enrolled person's name, external id or declared attributes (API 1.5).")
            .WithDescription("JSON body, every field optional (left out = unchanged): 'name', 'externalId' (\"\" removes it), 'gender', 'ethnicity', 'ageBand' (a value declares the attribute, \"\" withdraws the declaration so the estimate shows again; each attribute on its own). The name and external id follow enrollment's rule (409 on a clash). When the person's demographic group changes, their threshold is read again for the new group, as enrollment reads it. One audit event; nothing is written when nothing changes. Needs the 'manage' scope.")
            .Accepts<PersonPatchRequest>("application/json")
            .Produces<PersonPatchResponse>()
            .ProducesApiProblems(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict);

        api.MapDelete("/people/{id}", async Task<IResult> (HttpContext http, string id, ErasePerson erase, CancellationToken ct) =>
            {
                await erase.ExecuteAsync(ApiActor.From(http.User), id, ct).ConfigureAwait(false);
                return Results.NoContent();
            })
            .RequiresScope(ApiKeyScopes.Manage, Permission.ManageGallery)
            .WithName("ErasePerson")
            .WithSummary("Erases a person completely (template, decisions, personal audit details).")
            .WithDescription("Removes the person with this id or name, their encrypted template and their decisions, and blanks the personal details of audit events about them; writes one audit event naming only the opaque id. Needs the 'manage' scope.")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesApiProblems(StatusCodes.Status404NotFound);
    }
}
