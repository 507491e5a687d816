using System.Text;
using Mote.Core.Templates;

namespace Mote.Core.Tests.Templates;

/// <summary>Checks what build/Mote.Core.TorchNative.targets left in this test project's output folder.</summary>
public sealed class TorchNativeBuildTests
{
    private static readonly string Output = AppContext.BaseDirectory;

    [Fact]
    public void Build_OnThisSystem_ShipsThePatchedCopyOnlyWhenLibStdCxxIsOld()
    {
        var folder = Path.Combine(Output, "mote-native");

        if (!TorchRuntime.NeedsShim())
        {
            Assert.False(Directory.Exists(folder), "libstdc++ has GLIBCXX_3.4.32, so the build must change nothing");
            return;
        }

        Assert.True(File.Exists(Path.Combine(folder, "libmote_iosinit.so")));
        Assert.True(File.Exists(Path.Combine(folder, "libLibTorchSharp.so")));
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

/// <summary>A fact reported as skipped, with the reason, on a system whose libstdc++ needs no patched copy (nothing to check).</summary>
public sealed class ShimFactAttribute : FactAttribute
{
    public ShimFactAttribute()
    {
        if (!TorchRuntime.NeedsShim())
        {
            Skip = "libstdc++ already has GLIBCXX_3.4.32: nothing is patched on this system (Build_OnThisSystem_… asserts that).";
        }
    }
}
