using Mote.Core.Faces.Descriptors;

namespace Mote.Core.Tests.Faces.Descriptors;

public sealed class DescriptorMathTests
{
    [Fact]
    public void Normalize_ScalesToUnitLengthAndLeavesZerosAlone()
    {
        Assert.Equal([0.6f, 0.8f], DescriptorMath.Normalize([3f, 4f]));
        Assert.Equal([0f, 0f], DescriptorMath.Normalize([0f, 0f]));
    }

    [Fact]
    public void Cosine_KnownVectors_GivesAngleCosine()
    {
        Assert.Equal(1.0, DescriptorMath.Cosine([1f, 1f], [2f, 2f]), 10);
        Assert.Equal(0.0, DescriptorMath.Cosine([1f, 0f], [0f, 3f]), 10);
        Assert.Equal(-1.0, DescriptorMath.Cosine([1f, 2f], [-1f, -2f]), 10);
    }

    [Fact]
    public void Cosine_DifferentLengths_Throws() =>
        Assert.Throws<ArgumentException>(() => DescriptorMath.Cosine([1f], [1f, 2f]));
}
