using Microsoft.Extensions.Configuration;
using Mote.Core.Templates;
using Mote.Gallery.Settings;

namespace Mote.Gallery.Tests.Settings;

public sealed class EngineSettingsTests
{
    private static EngineSettings Bind(string? kind) =>
        EngineSettings.Bind(new ConfigurationBuilder()
            .AddInMemoryCollection(kind is null ? [] : [new KeyValuePair<string, string?>("Mote:Engine:TemplateKind", kind)])
            .Build());

    [Theory]
    [InlineData(null, TemplateKind.Model)]
    [InlineData("model", TemplateKind.Model)]
    [InlineData("vector", TemplateKind.Vector)]
    [InlineData("Vector", TemplateKind.Vector)]
    [InlineData("", TemplateKind.Model)]
    public void Bind_ReadsTheTemplateKindByName(string? configured, TemplateKind expected) =>
        Assert.Equal(expected, Bind(configured).TemplateKind);

    [Theory]
    [InlineData("vectors")]
    [InlineData("1")]
    public void Bind_RefusesAnUnknownTemplateKindByName(string configured)
    {
        var e = Assert.Throws<InvalidOperationException>(() => Bind(configured));
        Assert.Contains("Mote:Engine:TemplateKind", e.Message, StringComparison.Ordinal);
        Assert.Contains("'model'", e.Message, StringComparison.Ordinal);
    }
}
