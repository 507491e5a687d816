using Mote.Core.Templates;

namespace Mote.Core.Tests.Templates;

/// <summary>Test-data builder: model-templates with seeded random weights (no training), for format and scoring tests.</summary>
internal static class RandomTemplates
{
    public static ModelTemplate Create(MlpArchitecture architecture, int seed, BackboneIdentity? backbone = null)
    {
        var random = new Random(seed);
        var layers = new DenseLayer[architecture.LayerCount];
        for (var l = 0; l < layers.Length; l++)
        {
            int inputs = architecture.Widths[l], outputs = architecture.Widths[l + 1];
            var bound = 1 / MathF.Sqrt(inputs);
            var w = Enumerable.Range(0, inputs * outputs).Select(_ => ((float)random.NextDouble() * 2 - 1) * bound * 2).ToArray();
            var b = Enumerable.Range(0, outputs).Select(_ => ((float)random.NextDouble() * 2 - 1) * bound).ToArray();
            layers[l] = new DenseLayer(inputs, outputs, w, b);
        }

        var provenance = SyntheticDescriptors.Provenance with { Backbone = backbone ?? SyntheticDescriptors.Backbone };
        return new ModelTemplate(provenance, seed, layers, new TrainingSummary(12, 7, 0.0123f, 0.0456f, TimeSpan.FromMilliseconds(789)));
    }

    public static ModelTemplate CreateJittered(int dimension, int seed) =>
        Create(MlpArchitecture.Default(dimension).WithJitter(10, new Random(seed)), seed);
}
