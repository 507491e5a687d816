using System.Text.Json;
using Mote.Core.Templates;

namespace Mote.Core.Tests.Templates;

public sealed class TemplateKindJsonConverterTests
{
    private sealed record Row(TemplateKind TemplateKind);

    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    [Fact]
    public void Serialize_WritesTheName_AsTheStringPropertyDidBefore()
    {
        Assert.Equal("""{"templateKind":"vector"}""", JsonSerializer.Serialize(new Row(TemplateKind.Vector), Web));
        Assert.Equal(new Row(TemplateKind.Model), JsonSerializer.Deserialize<Row>("""{"templateKind":"model"}""", Web));
        Assert.Equal("""{"model":1}""", JsonSerializer.Serialize(new Dictionary<TemplateKind, int> { [TemplateKind.Model] = 1 }, Web));
    }

    [Theory]
    [InlineData("""{"templateKind":1}""")]
    [InlineData("""{"templateKind":"Vector"}""")]
    public void Deserialize_RefusesNumbersAndOtherNames(string json) =>
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<Row>(json, Web));
}
