using Mote.Core.Templates;
using TorchSharp;
using Xunit.Abstractions;

namespace Mote.Core.Tests.Templates;

public sealed class TorchRuntimeTests(ITestOutputHelper output)
{
    [Fact]
    public void EnsureLoaded_OnThisMachine_RunsATorchComputation()
    {
        TorchRuntime.EnsureLoaded();
        output.WriteLine(TorchRuntime.Description);

        using var a = torch.tensor(new float[] { 1, 2, 3 });
        using var b = torch.tensor(new float[] { 4, 5, 6 });
        using var dot = torch.dot(a, b);

        Assert.Equal(32f, dot.item<float>());
    }

    [Fact]
    public void EnsureLoaded_CalledTwice_IsANoOp()
    {
        TorchRuntime.EnsureLoaded();
        var first = TorchRuntime.Description;

        TorchRuntime.EnsureLoaded();

        Assert.Equal(first, TorchRuntime.Description);
        Assert.NotEqual("not loaded", first);
    }
}
