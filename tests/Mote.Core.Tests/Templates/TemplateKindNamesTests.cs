using Mote.Core.Templates;

namespace Mote.Core.Tests.Templates;

public sealed class TemplateKindNamesTests
{
    [Theory]
    [InlineData(TemplateKind.Model, "model")]
    [InlineData(TemplateKind.Vector, "vector")]
    public void ReportName_AndParse_RoundTrip(TemplateKind kind, string name)
    {
        Assert.Equal(name, kind.ReportName());
        Assert.Equal(kind, TemplateKindNames.Parse(name));
    }

    [Theory]
    [InlineData("Vector")]
    [InlineData("1")]
    [InlineData("")]
    [InlineData(null)]
    public void TryParse_RefusesAnythingButTheExactNames(string? name)
    {
        Assert.False(TemplateKindNames.TryParse(name, out _));
        if (name is not null)
        {
            Assert.Throws<FormatException>(() => TemplateKindNames.Parse(name));
        }
    }
}
