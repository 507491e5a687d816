using Mote.Core.Imaging;

namespace Mote.Core.Faces.Detection;

/// <summary>
/// BlazeFace's anchor centres for a square input, in input pixels, in the order of the concatenated
/// model outputs: the stride-16 grid (2 anchors per cell) first, then the stride-32 grid (6 per cell).
/// </summary>
/// <remarks>
/// For the 256x256 model this is 16x16x2 = 512 anchors followed by 8x8x6 = 384, matching the model's
/// outputs [1,512,16]/[1,512,1] and [1,384,16]/[1,384,1]. Anchors carry no size: the regressors give box
/// width and height directly in input pixels (MediaPipe's <c>fixed_anchor_size</c>), as Human decodes them.
/// </remarks>
public static class BlazeFaceAnchors
{
    /// <summary>Anchor centres for an <paramref name="inputSize"/> square input (cell centres, row-major, repeated per anchor).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="inputSize"/> is not a positive multiple of 32.</exception>
    public static Point2D[] Generate(int inputSize)
    {
        if (inputSize <= 0 || inputSize % 32 != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(inputSize), inputSize, "BlazeFace input size must be a positive multiple of 32.");
        }

        var anchors = new List<Point2D>();
        AddGrid(anchors, inputSize, inputSize / 16, 2);
        AddGrid(anchors, inputSize, inputSize / 8, 6);
        return [.. anchors];
    }

    private static void AddGrid(List<Point2D> anchors, int inputSize, int stride, int perCell)
    {
        var cells = inputSize / stride;
        for (var gy = 0; gy < cells; gy++)
        {
            for (var gx = 0; gx < cells; gx++)
            {
                var centre = new Point2D(stride * (gx + 0.5), stride * (gy + 0.5));
                for (var n = 0; n < perCell; n++)
                {
                    anchors.Add(centre);
                }
            }
        }
    }
}
