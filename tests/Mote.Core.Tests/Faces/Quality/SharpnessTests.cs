using Mote.Core.Faces.Quality;
using Mote.Core.Imaging;

namespace Mote.Core.Tests.Faces.Quality;

public sealed class SharpnessTests
{
    [Fact]
    public void LaplacianVariance_FlatImage_IsZero()
    {
        var flat = RgbImage.Create(20, 20, p => p.Fill(77));
        Assert.Equal(0, Sharpness.LaplacianVariance(flat), 9);
    }

    [Fact]
    public void LaplacianVariance_SinglePeak_MatchesHandComputation()
    {
        // One grey pixel of 100 in a 5x5 black image: Laplacian −400 at the peak, +100 at its 4
        // neighbours, 0 at the other 4 interior pixels. Mean 0, variance (400² + 4·100²) / 9 = 22222.2.
        var image = RgbImage.Create(5, 5, p => p.Slice(((2 * 5) + 2) * 3, 3).Fill(100));
        Assert.Equal(200000.0 / 9, Sharpness.LaplacianVariance(image), 6);
    }

    [Fact]
    public void LaplacianVariance_BlurredCheckerboard_MuchLowerThanSharp()
    {
        // Measured: 24562 sharp, 186 after two 5x5 box passes (σ ≈ 2 px).
        var sharp = QualityTestData.Checkerboard();
        var blurred = QualityTestData.BoxBlur(sharp, radius: 2, passes: 2);

        var sharpValue = Sharpness.LaplacianVariance(sharp);
        var blurredValue = Sharpness.LaplacianVariance(blurred);

        Assert.True(sharpValue > 100 * blurredValue, $"sharp {sharpValue:0.0}, blurred {blurredValue:0.0}");
    }
}
