using System.Text;
using Mote.Core.Templates;

namespace Mote.Core.Tests.Templates;

/// <summary>Checks what build/Mote.Core.TorchNative.targets left in this test project's output folder.</summary>
public sealed class TorchNativeBuildTests
{
    private static readonly string Output = AppContext.BaseDirectory;

    [ShimFact]
    public void Build_OldLibStdCxx_ShipsThePatchedCopyAndTheShim()
    {
        var folder = Path.Combine(Output, "mote-native");

        Assert.True(File.Exists(Path.Combine(folder, "libmote_iosinit.so")));
        Assert.True(File.Exists(Path.Combine(folder, "libLibTorchSharp.so")));
    }

    [ShimFact(NeedsShim = false)]
    public void Build_CurrentLibStdCxx_ChangesNothing()
    {
        Assert.False(Directory.Exists(Path.Combine(Output, "mote-native")), "libstdc++ has GLIBCXX_3.4.32, so the build must change nothing");
    }

    [ShimFact]
    public void PatchedCopy_DiffersFromThePackageFileOnlyInTheWeakFlag()
    {
        var original = File.ReadAllBytes(Path.Combine(Output, "runtimes", "linux-x64", "native", "libLibTorchSharp.so"));
        var patched = File.ReadAllBytes(Path.Combine(Output, "mote-native", "libLibTorchSharp.so"));

        Assert.Equal(original.Length, patched.Length);
        var differences = Enumerable.Range(0, original.Length).Where(i => original[i] != patched[i]).ToArray();
        var at = Assert.Single(differences);
        Assert.Equal(0, original[at] & 2);
        Assert.Equal(original[at] | 2, patched[at]); // VER_FLG_WEAK set on one Elf64_Vernaux.vna_flags
        // The package's own file (copied from the NuGet cache) still carries the strict requirement.
        Assert.Contains("GLIBCXX_3.4.32", Encoding.Latin1.GetString(original));
    }
}

/// <summary>
/// A fact that runs only where this system's libstdc++ needs the patched copy (<see cref="NeedsShim"/> true, the default)
/// or only where it does not (false); elsewhere it is reported as skipped, with the reason, since it has nothing to check.
/// </summary>
public sealed class ShimFactAttribute : FactAttribute
{
    private static readonly bool SystemNeedsShim = TorchRuntime.NeedsShim();

    public ShimFactAttribute()
    {
        NeedsShim = true;
    }

    /// <summary>Whether the fact is about a system that needs the patched copy.</summary>
    public bool NeedsShim
    {
        get;
        set
        {
            field = value;
            Skip = (value, SystemNeedsShim) switch
            {
                (true, false) => "libstdc++ already has GLIBCXX_3.4.32: nothing is patched on this system (Build_CurrentLibStdCxx_ChangesNothing asserts that).",
                (false, true) => "libstdc++ lacks GLIBCXX_3.4.32: the build ships a patched copy here (Build_OldLibStdCxx_… checks it).",
                _ => null,
            };
        }
    }
}
