using System.Text.Json;
using System.Text.Json.Serialization;

namespace Mote.Core.Templates;

/// <summary>
/// Writes a <see cref="TemplateKind"/> as its name, "model" or "vector" (<see cref="TemplateKindNames"/>), never as a
/// number, and reads only those names: what the Gallery's jobs and results stored as JSON before the kind was an enum.
/// </summary>
public sealed class TemplateKindJsonConverter : JsonConverter<TemplateKind>
{
    /// <inheritdoc/>
    public override TemplateKind Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.String ? FromName(reader.GetString()) : throw new JsonException($"A template kind is a string (\"model\" or \"vector\"), not {reader.TokenType}.");

    /// <inheritdoc/>
    public override void Write(Utf8JsonWriter writer, TemplateKind value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(value.ReportName());
    }

    /// <inheritdoc/>
    public override TemplateKind ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        FromName(reader.GetString());

    /// <inheritdoc/>
    public override void WriteAsPropertyName(Utf8JsonWriter writer, TemplateKind value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WritePropertyName(value.ReportName());
    }

    private static TemplateKind FromName(string? name) =>
        TemplateKindNames.TryParse(name, out var kind) ? kind : throw new JsonException($"'{name}' is not a template kind; expected \"model\" or \"vector\".");
}
