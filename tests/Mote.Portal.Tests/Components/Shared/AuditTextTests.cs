using Mote.Gallery.Audit;
using Mote.Portal.Components.Shared;

namespace Mote.Portal.Tests.Components.Shared;

public sealed class AuditTextTests
{
    [Fact]
    public void Name_KnownCode_WordsWithoutTheCode()
    {
        // Issue 16: "Probe verified (400)" read like an HTTP error; the code now has a column of its own.
        Assert.Equal("Probe verified", AuditText.Name((int)AuditEventCode.ProbeVerified));
        Assert.DoesNotContain("(", AuditText.Name((int)AuditEventCode.PersonEnrolled), StringComparison.Ordinal);
    }

    [Fact]
    public void Describe_ForPickers_SaysCodeInWords() =>
        Assert.Equal($"Probe verified · code {(int)AuditEventCode.ProbeVerified}", AuditText.Describe((int)AuditEventCode.ProbeVerified));

    [Fact]
    public void Name_UnknownCode_SaysUnknown() => Assert.Equal("Unknown event", AuditText.Name(99_999));
}
