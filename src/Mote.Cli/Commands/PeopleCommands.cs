using Mote.Core.Templates;
using Mote.Core;
using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Mote.Gallery;
using Mote.Gallery.Decisions;
using Mote.Gallery.Erasure;
using Mote.Gallery.People;
using Mote.Gallery.Security;

namespace Mote.Cli.Commands;

/// <summary><c>mote enroll|verify|identify|erase|edit</c> and <c>mote templates inspect</c>: the Gallery's people use cases.</summary>
internal static class PeopleCommands
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public static IEnumerable<Command> Build(TextWriter output, TextWriter error) =>
        [BuildEnroll(output, error), BuildVerify(output, error), BuildIdentify(output, error), BuildErase(output, error), BuildEdit(output, error), BuildTemplates(output, error)];

    private static Command BuildEnroll(TextWriter output, TextWriter error)
    {
        var name = new Option<string?>("--name") { Description = "The person's name (with --external-id, names may repeat). Required unless --from is given." };
        var image = new Argument<string?>("image") { Description = "The reference photo (PNG or JPEG); it is not kept. Required unless --from is given.", Arity = ArgumentArity.ZeroOrOne };
        var from = new Option<string?>("--from") { Description = "Enroll many people: a CSV (name,photo[,external_id,gender,ethnicity,age_band]; photos relative to it), a folder (one person per photo or per sub-folder) or a ZIP of either. Re-running skips who is enrolled already. Exit code 5 when a row failed." };
        var balance = new Option<string?>("--balance") { Description = "Negative-sample weights by group, e.g. 'female|white|18-59=2,male|white|18-59=1'; pos:<group>=<w> weighs the positive variation (default: equal over the population pack's groups)." };
        var seed = new Option<long?>("--seed") { Description = "Training seed (default: random, recorded in the template)." };
        var face = new Option<int?>("--face") { Description = "Which face to enroll when the photo has several (0 = largest)." };
        var gender = new Option<string?>("--gender") { Description = "Declared gender (female, male)." };
        var ethnicity = new Option<string?>("--ethnicity") { Description = "Declared ethnicity (white, black, asian, indian, other)." };
        var age = new Option<string?>("--age-band") { Description = "Declared age band (0-17, 18-59, 60+)." };
        var externalId = new Option<string?>("--external-id") { Description = "An id from outside the portal (e.g. an employee number), unique; people may share a name when their external ids differ." };
        var db = MoteCommand.DatabaseOption();
        var enroll = new Command("enroll", "Enroll a person (train their model-template from one photo and synthetic samples), or many with --from.")
        {
            name, image, from, balance, seed, face, gender, ethnicity, age, externalId, db,
        };
        enroll.SetAction(async (parse, ct) =>
        {
            if (parse.GetValue(from) is { } batch)
            {
                Option[] single = [name, balance, seed, face, gender, ethnicity, age, externalId];
                var extra = parse.GetValue(image) is not null ? "the photo argument" : single.FirstOrDefault(o => parse.GetResult(o) is { Implicit: false })?.Name;
                if (extra is not null)
                {
                    await error.WriteLineAsync($"--from takes names, photos and attributes from the batch: leave out {extra}.").ConfigureAwait(false);
                    return 1;
                }
                return await EnrollBatchAsync(batch, parse.GetValue(db), output, error, ct).ConfigureAwait(false);
            }
            if (parse.GetValue(name) is not { } person || parse.GetValue(image) is not { } path)
            {
                await error.WriteLineAsync("Give --name and the photo (mote enroll --name <n> <image>), or --from <csv|folder|zip> to enroll many.").ConfigureAwait(false);
                return 1;
            }
            return await GalleryCommand.RunAsync(parse.GetValue(db), error, async services =>
            {
                var photo = await PhotoFiles.ReadAsync(path, ct).ConfigureAwait(false);
                var request = new EnrollmentRequest(person, photo, parse.GetValue(face),
                    new DeclaredAttributes(parse.GetValue(gender), parse.GetValue(ethnicity), parse.GetValue(age)),
                    BalanceText.Parse(parse.GetValue(balance)), parse.GetValue(seed), parse.GetValue(externalId));
                var progress = new InlineProgress<string>(stage => error.WriteLine($"  {stage}…"));
                var result = await services.GetRequiredService<EnrollPerson>().ExecuteAsync(Actor.Terminal(Environment.UserName), request, progress, ct).ConfigureAwait(false);
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"Enrolled {result.Person.Name}{(result.Person.ExternalId is { } x ? $" (external id {x})" : "")} (id {result.Person.Id}): {result.Person.TemplateKind.ReportName()} template, {result.Person.TemplateBytes} bytes, " +
                    $"threshold {ReadableScore.OfKind(result.Person.TemplateKind, result.Person.Threshold)}, {(result.Training is { } t ? $"{t.EpochsRun} epochs, " : "")}{result.Duration.TotalSeconds:0.0} s.")).ConfigureAwait(false);
            }, ct).ConfigureAwait(false);
        });
        return enroll;
    }

    /// <summary>Exit code of <c>mote enroll --from</c> when the batch ran but at least one row failed.</summary>
    internal const int RowsFailedExitCode = 5;

    /// <summary>
    /// <c>mote enroll --from</c>: one line per row on standard output as it finishes, stages on standard error, then the summary.
    /// 0 when every row is enrolled or already enrolled, <see cref="RowsFailedExitCode"/> when a row failed, 1 when the batch
    /// itself cannot be read.
    /// </summary>
    private static async Task<int> EnrollBatchAsync(string path, string? database, TextWriter output, TextWriter error, CancellationToken ct)
    {
        BulkEnrollmentSummary? summary = null;
        var code = await GalleryCommand.RunAsync(database, error, async services =>
        {
            using var batch = BulkEnrollmentBatch.FromPath(path);
            await error.WriteLineAsync($"{batch.Source}: {batch.Rows.Count} row{(batch.Rows.Count == 1 ? "" : "s")}.").ConfigureAwait(false);
            var progress = new InlineProgress<BulkEnrollmentProgress>(p =>
            {
                if (p.Finished is { } r)
                {
                    output.WriteLine(BulkRowLine(r));
                }
                else if (p.Current is { } row && p.Stage is { } stage && stage != EnrollPeopleInBulk.Checking)
                {
                    error.WriteLine($"  row {row.Row}/{p.Total} {row.Name}: {stage}…");
                }
            });
            summary = await services.GetRequiredService<EnrollPeopleInBulk>().ExecuteAsync(Actor.Terminal(Environment.UserName), batch, progress, ct).ConfigureAwait(false);
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{summary.Text} ({summary.Duration.TotalSeconds:0.0} s)")).ConfigureAwait(false);
        }, ct).ConfigureAwait(false);
        return code != 0 ? code : summary!.Failed > 0 ? RowsFailedExitCode : 0;
    }

    /// <summary>"row 2: Ada Lovelace (E-17), ada.jpg: enrolled (id …, 3.1 s)" or "… FAILED: No face was found in this photo."</summary>
    internal static string BulkRowLine(BulkRowResult r)
    {
        var who = $"row {r.Row}: {(r.Name.Length > 0 ? r.Name : "(no name)")}{(r.ExternalId is { } x ? $" ({x})" : "")}, {(r.Photo.Length > 0 ? r.Photo : "(no photo)")}";
        return r.Outcome switch
        {
            BulkRowOutcome.Enrolled => string.Create(CultureInfo.InvariantCulture, $"{who}: enrolled (id {r.PersonId}, {r.Duration.TotalSeconds:0.0} s)"),
            BulkRowOutcome.AlreadyEnrolled => $"{who}: already enrolled, skipped (id {r.PersonId})",
            _ => $"{who}: FAILED: {r.Message}",
        };
    }

    private static Command BuildVerify(TextWriter output, TextWriter error)
    {
        var name = new Option<string>("--name") { Description = "Who the probe claims to be (name or id).", Required = true };
        var image = new Argument<string>("image") { Description = "The probe photo; it is not kept." };
        var face = new Option<int?>("--face") { Description = "Which face to verify, largest first (0 = largest); default: the largest face that passes the quality check." };
        var json = new Option<bool>("--json") { Description = "Print the decision as JSON." };
        var db = MoteCommand.DatabaseOption();
        var verify = new Command("verify", "1:1 — is the probe this person? Exit code 0 when accepted, 4 when rejected.") { name, image, face, json, db };
        verify.SetAction(async (parse, ct) =>
        {
            VerificationResult? result = null;
            var code = await GalleryCommand.RunAsync(parse.GetValue(db), error, async services =>
            {
                var photo = await PhotoFiles.ReadAsync(parse.GetValue(image)!, ct).ConfigureAwait(false);
                result = await services.GetRequiredService<VerifyProbe>().ExecuteAsync(Actor.Terminal(Environment.UserName), parse.GetValue(name)!, photo, parse.GetValue(face), ct).ConfigureAwait(false);
                await output.WriteLineAsync(parse.GetValue(json)
                    ? JsonSerializer.Serialize(result, Json)
                    : string.Create(CultureInfo.InvariantCulture,
                        $"{(result.Accepted ? "ACCEPTED" : "REJECTED")}: {result.PersonName}, score {result.Reading?.Text ?? ReadableScore.LogOdds(result.Score)} vs threshold {result.ThresholdReading?.Text ?? ReadableScore.LogOdds(result.Threshold)} ({result.Duration.TotalMilliseconds:0} ms, decision {result.DecisionId}{(result.Face is { FacesInPhoto: > 1 } f ? $", face #{f.Index + 1} of {f.FacesInPhoto}" : "")})")).ConfigureAwait(false);
            }, ct).ConfigureAwait(false);
            return code != 0 ? code : result!.Accepted ? 0 : 4;
        });
        return verify;
    }

    private static Command BuildIdentify(TextWriter output, TextWriter error)
    {
        var image = new Argument<string>("image") { Description = "The probe photo; it is not kept." };
        var top = new Option<int>("--top") { Description = "How many candidates to show (default 5).", DefaultValueFactory = _ => 5 };
        var json = new Option<bool>("--json") { Description = "Print the outcome as JSON." };
        var db = MoteCommand.DatabaseOption();
        var identify = new Command("identify", "1:N — who in the gallery is each usable face of the probe? Exit code 0 when a face matches, 4 when none does.") { image, top, json, db };
        identify.SetAction(async (parse, ct) =>
        {
            IdentificationOutcome? outcome = null;
            var code = await GalleryCommand.RunAsync(parse.GetValue(db), error, async services =>
            {
                var photo = await PhotoFiles.ReadAsync(parse.GetValue(image)!, ct).ConfigureAwait(false);
                outcome = await services.GetRequiredService<IdentifyProbe>().ExecuteAsync(Actor.Terminal(Environment.UserName), photo, parse.GetValue(top), ct).ConfigureAwait(false);
                if (parse.GetValue(json))
                {
                    await output.WriteLineAsync(JsonSerializer.Serialize(outcome, Json)).ConfigureAwait(false);
                    return;
                }
                foreach (var face in outcome.Faces)
                {
                    if (outcome.Faces.Count > 1)
                    {
                        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                            $"Face #{face.Face.Index + 1} of {outcome.Faces.Count} at {face.Face.Box.X:0},{face.Face.Box.Y:0} {face.Face.Box.Width:0}x{face.Face.Box.Height:0}:{(face.Usable ? "" : " NOT USABLE: " + string.Join("; ", face.Reasons))}")).ConfigureAwait(false);
                    }
                    if (!face.Usable)
                    {
                        continue;
                    }
                    if (face.IsNoMatch)
                    {
                        await output.WriteLineAsync($"NO MATCH among {outcome.GallerySize} people (decision {face.DecisionId}).").ConfigureAwait(false);
                        continue;
                    }
                    foreach (var (m, i) in face.Matches.Select((m, i) => (m, i)))
                    {
                        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{i + 1}. {m.PersonName}: score {m.Reading?.Text ?? ReadableScore.LogOdds(m.Score)} vs threshold {m.ThresholdReading?.Text ?? ReadableScore.LogOdds(m.Threshold)}")).ConfigureAwait(false);
                    }
                    await output.WriteLineAsync($"(decision {face.DecisionId})").ConfigureAwait(false);
                }
                await output.WriteLineAsync($"({outcome.GallerySize} people searched in {outcome.Duration.TotalMilliseconds:0} ms)").ConfigureAwait(false);
            }, ct).ConfigureAwait(false);
            return code != 0 ? code : outcome!.Faces.All(f => f.IsNoMatch) ? 4 : 0;
        });
        return identify;
    }

    private static Command BuildErase(TextWriter output, TextWriter error)
    {
        var name = new Option<string>("--name") { Description = "The person to erase (name or id).", Required = true };
        var db = MoteCommand.DatabaseOption();
        var erase = new Command("erase", "Erase a person completely: template, decisions and personal audit details.") { name, db };
        erase.SetAction(async (parse, ct) => await GalleryCommand.RunAsync(parse.GetValue(db), error, async services =>
        {
            var removed = await services.GetRequiredService<ErasePerson>().ExecuteAsync(Actor.Terminal(Environment.UserName), parse.GetValue(name)!, ct).ConfigureAwait(false);
            await output.WriteLineAsync($"Erased {parse.GetValue(name)} ({removed} rows removed).").ConfigureAwait(false);
        }, ct).ConfigureAwait(false));
        return erase;
    }

    private static Command BuildEdit(TextWriter output, TextWriter error)
    {
        var name = new Option<string>("--name") { Description = "The person to edit (id, external id or name).", Required = true };
        var newName = new Option<string?>("--new-name") { Description = "Their new name." };
        var externalId = new Option<string?>("--external-id") { Description = "Their new external id; '' removes it." };
        var gender = new Option<string?>("--gender") { Description = "Declare the gender (female, male); '' withdraws the declaration (the estimate shows again)." };
        var ethnicity = new Option<string?>("--ethnicity") { Description = "Declare the ethnicity (white, black, asian, indian, other); '' withdraws it." };
        var age = new Option<string?>("--age-band") { Description = "Declare the age band (0-17, 18-59, 60+); '' withdraws it." };
        var db = MoteCommand.DatabaseOption();
        var edit = new Command("edit", "Edit a person's name, external id or declared attributes after enrollment (a new group reads the threshold again).")
        {
            name, newName, externalId, gender, ethnicity, age, db,
        };
        edit.SetAction(async (parse, ct) => await GalleryCommand.RunAsync(parse.GetValue(db), error, async services =>
        {
            var request = new PersonEdit(parse.GetValue(name)!, null, parse.GetValue(newName), parse.GetValue(externalId),
                parse.GetValue(gender), parse.GetValue(ethnicity), parse.GetValue(age));
            var result = await services.GetRequiredService<EditPerson>().ExecuteAsync(Actor.Terminal(Environment.UserName), request, ct).ConfigureAwait(false);
            await output.WriteLineAsync(result.Changes.Count == 0
                ? $"Nothing changed for {result.Person.Name}."
                : $"Edited {result.Person.Name} (id {result.Person.Id}): {string.Join("; ", result.Changes)}.").ConfigureAwait(false);
        }, ct).ConfigureAwait(false));
        return edit;
    }

    private static Command BuildTemplates(TextWriter output, TextWriter error)
    {
        var name = new Argument<string>("name") { Description = "The person (name or id)." };
        var db = MoteCommand.DatabaseOption();
        var inspect = new Command("inspect", "Describe a person's stored template (architecture, seed, training, size) without its weights.") { name, db };
        inspect.SetAction(async (parse, ct) => await GalleryCommand.RunAsync(parse.GetValue(db), error, async services =>
        {
            var t = await services.GetRequiredService<InspectTemplate>().ExecuteAsync(Actor.Terminal(Environment.UserName), parse.GetValue(name)!, ct).ConfigureAwait(false);
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"""
                {t.Person.Name} ({t.Person.Id})
                  kind           {t.Person.TemplateKind.ReportName()}
                  backbone       {t.BackboneId} ({t.BackboneHash[..12]}…)
                  population     {t.PopulationPackId}
                  architecture   {t.Architecture}, {t.Precision}
                  seed           {t.Seed}
                  training       {t.Epochs} epochs, best validation loss {t.ValidationLoss:0.#####}
                  threshold      {ReadableScore.OfKind(t.Person.TemplateKind, t.Person.Threshold)}
                  size           {t.StoredBytes} bytes ({(double)t.StoredBytes / t.VectorBytesForComparison:0.#}x a {t.VectorBytesForComparison}-byte vector template)
                  balance        {t.BalanceJson}
                """)).ConfigureAwait(false);
        }, ct).ConfigureAwait(false));
        var templates = new Command("templates", "Inspect stored templates.");
        templates.Subcommands.Add(inspect);
        return templates;
    }
}
