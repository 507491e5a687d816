namespace Mote.Core.Templates;

/// <summary>
/// The names a <see cref="TemplateKind"/> goes by wherever it leaves the code — evaluation reports and their JSON, the
/// Gallery's database column, the API, the compliance report, the portal and the audit trail ("model", "vector"): code
/// compares the enum and writes (or reads) the name only at those edges, through here.
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

    /// <summary>The kind named <paramref name="name"/> ("model" or "vector", exactly as <see cref="ReportName"/> writes it).</summary>
    /// <exception cref="FormatException">The name is neither.</exception>
    public static TemplateKind Parse(string name) =>
        TryParse(name, out var kind) ? kind : throw new FormatException($"'{name}' is not a template kind; expected 'model' or 'vector'.");

    /// <summary>Whether <paramref name="name"/> is "model" or "vector" (exactly as <see cref="ReportName"/> writes it), and which.</summary>
    public static bool TryParse(string? name, out TemplateKind kind)
    {
        switch (name)
        {
            case "model":
                kind = TemplateKind.Model;
                return true;
            case "vector":
                kind = TemplateKind.Vector;
                return true;
            default:
                kind = default;
                return false;
        }
    }
}
