namespace Mote.Core.Templates;

/// <summary>
/// The names a <see cref="TemplateKind"/> goes by in evaluation reports, their JSON and the portal ("model", "vector"):
/// code compares the enum and writes the name only where a report is made.
/// </summary>
public static class TemplateKindNames
{
    /// <summary>"model" for <see cref="TemplateKind.Model"/>, "vector" for <see cref="TemplateKind.Vector"/>.</summary>
    public static string ReportName(this TemplateKind kind) => kind switch
    {
        TemplateKind.Model => "model",
        TemplateKind.Vector => "vector",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not a template kind."),
    };
}
