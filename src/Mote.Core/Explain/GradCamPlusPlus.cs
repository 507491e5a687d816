using System.Diagnostics;
using Mote.Core.Imaging;
using Mote.Core.Templates;
using TorchSharp;
using static TorchSharp.torch;

namespace Mote.Core.Explain;

/// <summary>Grad-CAM++ maps of one decision, one per requested block, with the logit they explain.</summary>
/// <param name="Maps">One map per block, at the block's native resolution (2x2 for the last block of a 150x150 crop).</param>
/// <param name="Logit">The person's MOTE logit for the crop, from the TorchSharp forward.</param>
/// <param name="ElapsedMs">Wall time of forward and backward.</param>
public sealed record GradCamResult(IReadOnlyList<ExplanationMap> Maps, float Logit, double ElapsedMs);

/// <summary>
/// Grad-CAM++ (Chattopadhay et al. 2018) for a person's MOTE logit with respect to the dlib ResNet's block
/// outputs, gradients exact by TorchSharp autograd through <see cref="DlibResNetTorch"/>, the L2 normalisation
/// and the model-template's MLP. Per map k: α = g² / (2g² + Σ_ab A·g³), w_k = Σ_ij α·ReLU(g),
/// map = ReLU(Σ_k w_k A_k), normalised to [0, 1]. Thread-safe (serialised through <see cref="DlibResNetTorch.Gate"/>).
/// </summary>
public static class GradCamPlusPlus
{
    /// <summary>The method name stored with maps of the last block; other blocks add "@block".</summary>
    public const string Method = "gradcam++";

    /// <summary>Maps of <paramref name="alignedCrop"/> at <paramref name="blocks"/> (default: the last conv block). Mutates nothing.</summary>
    /// <exception cref="ArgumentException">An unknown block, or the template is not 128-d.</exception>
    public static GradCamResult Compute(DlibResNetTorch net, ModelTemplate template, RgbImage alignedCrop, IReadOnlyList<string>? blocks = null)
    {
        ArgumentNullException.ThrowIfNull(net);
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(alignedCrop);
        blocks ??= [DlibResNetTorch.LastConvBlock];
        foreach (var b in blocks)
        {
            if (!DlibResNetTorch.BlockNames.Contains(b))
            {
                throw new ArgumentException($"Unknown block '{b}'; known: {string.Join(", ", DlibResNetTorch.BlockNames)}.", nameof(blocks));
            }
        }
        if (template.Dimension != Models.FaceApi.FaceRecognitionNetOnnx.DescriptorLength)
        {
            throw new ArgumentException($"The template scores {template.Dimension}-d descriptors; the dlib ResNet gives 128-d.", nameof(template));
        }
        lock (DlibResNetTorch.Gate)
        {
            var watch = Stopwatch.StartNew();
            using var scope = torch.NewDisposeScope();
            var owned = new List<Tensor>();
            try
            {
                using var enable = torch.enable_grad();
                // The weights are constants; the input is marked so autograd records the graph through the blocks.
                var input = DlibResNetTorch.ToInput([alignedCrop]).requires_grad_(true);
                var (descriptor, features) = net.Forward(input);
                var unit = nn.functional.normalize(descriptor, p: 2, dim: 1);
                var logit = DlibResNetTorch.Mlp(template, unit, owned).sum();
                var targets = blocks.Select(b => features[b]).ToList();
                var grads = torch.autograd.grad([logit], targets);
                var maps = new List<ExplanationMap>();
                using (torch.no_grad())
                {
                    for (var i = 0; i < blocks.Count; i++)
                    {
                        maps.Add(Map(blocks[i], targets[i], grads[i]));
                    }
                }
                return new GradCamResult(maps, logit.item<float>(), watch.Elapsed.TotalMilliseconds);
            }
            finally
            {
                foreach (var t in owned)
                {
                    t.Dispose();
                }
            }
        }
    }

    private static ExplanationMap Map(string block, Tensor activations, Tensor gradients)
    {
        // activations, gradients: [1, K, H, W]
        var g2 = gradients.pow(2);
        var g3 = gradients.pow(3);
        var sumA = activations.sum([2L, 3L], keepdim: true);
        var denominator = (2 * g2) + (sumA * g3);
        // Where the denominator is 0 the gradient is 0 too; α is defined as 0 there.
        var alpha = g2 / torch.where(denominator.ne(0), denominator, torch.ones_like(denominator));
        alpha = torch.where(gradients.ne(0), alpha, torch.zeros_like(alpha));
        var weights = (alpha * nn.functional.relu(gradients)).sum([2L, 3L], keepdim: true);
        var cam = nn.functional.relu((weights * activations).sum(1)).squeeze(0);
        var h = (int)cam.shape[0];
        var w = (int)cam.shape[1];
        var method = block == DlibResNetTorch.LastConvBlock ? Method : $"{Method}@{block}";
        return ExplanationMap.Normalized(method, w, h, cam.contiguous().data<float>().ToArray());
    }
}
