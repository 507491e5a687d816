using Microsoft.AspNetCore.Components;
using Mote.Core.Population.Packs;
using Mote.Gallery.People;
using Mote.Portal.Services;

namespace Mote.Portal.Components.Pages.Gallery;

public partial class BalanceEditor
{
    [Parameter, EditorRequired]
    public BalanceForm Model { get; set; } = null!;

    [Parameter]
    public bool Disabled { get; set; }

    /// <summary>Raised after any weight changes (a preview is then out of date).</summary>
    [Parameter]
    public EventCallback Changed { get; set; }

    private LeftOutGroups? _leftOut;

    protected override async Task OnInitializedAsync()
    {
        var actor = await Actor.GetAsync();
        _leftOut = actor.Has(Mote.Gallery.Security.Permission.ViewGallery) ? await ReadLeftOut.ExecuteAsync(actor) : null;
    }

    private IReadOnlyList<SkippedGroup>? LeftOutOf(string kind) =>
        kind == "negative" ? _leftOut?.Negatives : _leftOut?.Variation;

    private static string Describe(SkippedGroup group) =>
        $"{group.GroupId.Replace("|", ", ", StringComparison.Ordinal)} ({Mote.Core.Counted.Of(group.Count, "face")})";

    private IEnumerable<(string, string, IReadOnlyList<GroupSlider>, string)> Parts =>
    [
        ("Negatives", "Whose synthetic faces teach the model-template who this person is not.", Model.Negatives, "negative"),
        ("Positive variation", "Whose appearance variation is added to this person's own face.", Model.Variation, "variation"),
    ];

    private Task SetAsync(GroupSlider slider, double value)
    {
        slider.Weight = Math.Clamp(value, 0, BalanceForm.MaxWeight);
        return Changed.InvokeAsync();
    }

    private Task ResetAsync()
    {
        Model.ResetToEqual();
        return Changed.InvokeAsync();
    }
}
