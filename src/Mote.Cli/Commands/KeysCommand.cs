using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Mote.Gallery.Keys;
using Mote.Gallery.Security;

namespace Mote.Cli.Commands;

/// <summary>
/// <c>mote keys status</c> and <c>mote keys rotate</c> (docs/decisions/0016): the template key ring in the secrets folder,
/// how many stored values each key encrypts, and rotation to a new key.
/// </summary>
internal static class KeysCommand
{
    public static Command Build(TextWriter output, TextWriter error)
    {
        var command = new Command("keys", "The keys that encrypt templates, images and authenticator secrets at rest.");
        command.Subcommands.Add(BuildStatus(output, error));
        command.Subcommands.Add(BuildRotate(output, error));
        return command;
    }

    private static Command BuildStatus(TextWriter output, TextWriter error)
    {
        var db = MoteCommand.DatabaseOption();
        var status = new Command("status", "List the template key ids and how many stored values each encrypts (a scan of every encrypted column).") { db };
        status.SetAction(async (parse, ct) => await GalleryCommand.RunAsync(parse.GetValue(db), error, async services =>
        {
            var usage = await services.GetRequiredService<ReadTemplateKeyUsage>().ExecuteAsync(Actor.Terminal(Environment.UserName), ct).ConfigureAwait(false);
            await WriteUsageAsync(output, usage).ConfigureAwait(false);
        }, ct).ConfigureAwait(false));
        return status;
    }

    private static Command BuildRotate(TextWriter output, TextWriter error)
    {
        var destroy = new Option<bool>("--destroy-old") { Description = "Delete the old key file instead of moving it to retired-<time>/ in the secrets folder." };
        var batch = new Option<int>("--batch-size")
        {
            Description = $"Values re-encrypted per transaction (default {RotateTemplateKey.DefaultBatchSize}).",
            DefaultValueFactory = _ => RotateTemplateKey.DefaultBatchSize,
        };
        var db = MoteCommand.DatabaseOption();
        var rotate = new Command("rotate", "Create a new template key, re-encrypt every encrypted value under it, and retire the old key once no value uses it. Run it again to finish an interrupted rotation.")
        {
            destroy, batch, db,
        };
        rotate.SetAction(async (parse, ct) => await GalleryCommand.RunAsync(parse.GetValue(db), error, async services =>
        {
            var result = await services.GetRequiredService<RotateTemplateKey>().ExecuteAsync(Actor.Terminal(Environment.UserName),
                parse.GetValue(destroy), parse.GetValue(batch), null, ct).ConfigureAwait(false);
            await output.WriteLineAsync(result.ResumedRotation
                ? $"Finished the interrupted rotation to key {result.NewKeyId}."
                : $"Created key {result.NewKeyId}.").ConfigureAwait(false);
            await output.WriteLineAsync($"Re-encrypted {result.Total.ToString(CultureInfo.InvariantCulture)} value(s): "
                + string.Join(", ", result.Reencrypted.Select(kv => $"{kv.Key} {kv.Value.ToString(CultureInfo.InvariantCulture)}")) + ".").ConfigureAwait(false);
            if (result.RetiredKeyIds.Count > 0)
            {
                var ids = string.Join(", ", result.RetiredKeyIds);
                await output.WriteLineAsync(result.RetiredTo is { } folder
                    ? $"No value uses key {ids} any more; its file was moved to {folder}. Keep it with your backups taken before today, or delete it."
                    : $"No value uses key {ids} any more; its file was deleted.").ConfigureAwait(false);
            }
            await output.WriteLineAsync("Take a new backup now: backups taken before the rotation need the old key to be read.").ConfigureAwait(false);
        }, ct).ConfigureAwait(false));
        return rotate;
    }

    private static async Task WriteUsageAsync(TextWriter output, TemplateKeyUsage usage)
    {
        if (!usage.KeyIds.Any() && !usage.ValuesByKey.Keys.Any() && usage.Unrecognised == 0)
        {
            // The first key is made when the first value is encrypted (an enrollment, a kept image, an authenticator).
            await output.WriteLineAsync("No template key yet: nothing has been encrypted in this gallery.").ConfigureAwait(false);
            return;
        }

        await output.WriteLineAsync($"{"KEY",-5}  {"FILE",-20}  {"STATE",-9}  VALUES").ConfigureAwait(false);
        foreach (var id in usage.KeyIds.Union(usage.ValuesByKey.Keys).Order())
        {
            var state = !usage.KeyIds.Contains(id) ? "MISSING" : id == usage.CurrentKeyId ? "current" : "old";
            var detail = string.Join(", ", usage.ValuesByColumn.Where(c => c.Value.ContainsKey(id)).Select(c => $"{c.Key} {c.Value[id].ToString(CultureInfo.InvariantCulture)}"));
            await output.WriteLineAsync($"{id,-5}  {TemplateProtector.KeyName(id) + ".key",-20}  {state,-9}  {usage.CountFor(id).ToString(CultureInfo.InvariantCulture)}{(detail.Length > 0 ? $" ({detail})" : "")}").ConfigureAwait(false);
        }
        if (usage.Unrecognised > 0)
        {
            await output.WriteLineAsync($"{usage.Unrecognised} stored value(s) are in no known format (damaged).").ConfigureAwait(false);
        }
        if (usage.ValuesByKey.Keys.Any(id => !usage.KeyIds.Contains(id)))
        {
            await output.WriteLineAsync("Some values are under a key whose file is not in the secrets folder: they cannot be read until it is put back.").ConfigureAwait(false);
        }
    }
}
