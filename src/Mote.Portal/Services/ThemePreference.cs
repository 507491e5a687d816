using Microsoft.JSInterop;

namespace Mote.Portal.Services;

/// <summary>
/// The light/dark choice of this browser, kept in its <c>localStorage</c> (key <see cref="Key"/>), so a reload or a new
/// tab keeps the theme the user picked instead of falling back to the system's. Nothing is stored on the server.
/// </summary>
public sealed class ThemePreference(IJSRuntime js)
{
    /// <summary>The localStorage key; its value is "dark" or "light".</summary>
    public const string Key = "mote.theme";

    /// <summary>The saved choice: true for dark, false for light, null when the user never picked one.</summary>
    public async Task<bool?> ReadAsync() =>
        await js.InvokeAsync<string?>("localStorage.getItem", Key).ConfigureAwait(false) switch
        {
            "dark" => true,
            "light" => false,
            _ => null,
        };

    /// <summary>Saves the choice in this browser.</summary>
    public async Task SaveAsync(bool dark) =>
        await js.InvokeVoidAsync("localStorage.setItem", Key, dark ? "dark" : "light").ConfigureAwait(false);
}
