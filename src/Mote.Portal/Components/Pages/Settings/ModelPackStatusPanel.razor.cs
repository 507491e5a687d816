using Mote.Gallery.Backbones;
using Mote.Gallery.Models;
using MudBlazor;

namespace Mote.Portal.Components.Pages.Settings;

public partial class ModelPackStatusPanel
{
    private ModelPackStatusView? _status;
    private Mote.Gallery.Security.Actor? _actor;
    // The gallery's backbone, read once: provisioning changes arrive on a background thread and must not share the circuit's DbContext.
    private string? _backbone;

    protected override async Task OnInitializedAsync()
    {
        _actor = await Actor.GetAsync();
        _backbone = await Read.PackBackboneAsync();
        _status = Read.Execute(_actor, _backbone);
        // Follows provisioning live (Changed is raised on a background thread).
        Models.Changed += OnChanged;
    }

    private void OnChanged(ModelPackState state) => _ = InvokeAsync(() =>
    {
        if (_actor is not null && _backbone is not null)
        {
            _status = Read.Execute(_actor, _backbone);
            StateHasChanged();
        }
    });

    public void Dispose() => Models.Changed -= OnChanged;

    private static string Short(string hash) => hash.Length > 16 ? hash[..16] + "…" : hash;

    private static Color StateColor(ModelPackStatus status) => status switch
    {
        ModelPackStatus.Ready => Color.Success,
        ModelPackStatus.Preparing => Color.Info,
        ModelPackStatus.Failed => Color.Error,
        _ => Color.Default,
    };

    private static string StateId(ModelPackStatus status) => status switch
    {
        ModelPackStatus.NotStarted => "not-started",
        _ => status.ToString().ToLowerInvariant(),
    };

    private static string StateText(ModelPackState state) => state.Status switch
    {
        ModelPackStatus.Ready => "ready",
        ModelPackStatus.Preparing => $"preparing: {state.Stage}",
        ModelPackStatus.Failed => "failed",
        _ => "not started",
    };
}
