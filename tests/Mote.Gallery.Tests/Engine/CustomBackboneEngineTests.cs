using Microsoft.Extensions.DependencyInjection;
using Mote.Core.Faces.Descriptors;
using Mote.Core.Faces.Pipeline;
using Mote.Core.Models;
using Mote.Core.Models.Onnx;
using Mote.Gallery.Engine;
using Mote.Gallery.Models;
using Mote.Gallery.Tests.Builders;

namespace Mote.Gallery.Tests.Engine;

/// <summary>
/// A gallery on the user's own model (<c>Mote:Faces:Custom</c>): its templates record the id the model is configured with
/// (here <c>generated-insightface</c>), so every decision after the first enrollment asks the engine for that id. It used to
/// throw "Unknown backbone" (the id is not a built-in selector) and left a custom gallery unusable after one person; the
/// evaluation's pipeline did not see the custom model at all. A generated InsightFace-style model (28x28 average pools of the
/// normalised 112x112 crop) and a real SQLite file.
/// </summary>
public sealed class CustomBackboneEngineTests : IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("mote-custom-engine-").FullName;
    private GalleryTestDatabase _db = null!;

    public async Task InitializeAsync()
    {
        var model = Path.Combine(_folder, "w600k_generated.onnx");
        await File.WriteAllBytesAsync(model, PooledRecognitionModel());
        var custom = new CustomModelSettings(new CustomModelOptions { Recognition = new OnnxRecognitionOptions { Path = model, BackboneId = "generated-insightface" } }, _folder);
        _db = await GalleryTestDatabase.CreateAsync(s =>
        {
            s.AddSingleton(new ModelPackOptions { CacheDir = TestModelCache.Folder });
            s.AddSingleton(custom);
            s.AddSingleton<IFaceAnalyzerFactory>(new PipelineFaceAnalyzerFactory(new FacePipelineOptions { Backbone = FaceDescribers.Custom }, custom));
        });
    }

    public async Task DisposeAsync()
    {
        await _db.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task GetAnalyzer_TheCustomModelsRecordedId_SelectsTheConfiguredModel_AnotherIdRefusedAsConflict()
    {
        var engine = _db.Services.GetRequiredService<GalleryEngine>();

        var bySelector = await engine.GetAnalyzerAsync(FaceDescribers.Custom);
        var byRecordedId = await engine.GetAnalyzerAsync("generated-insightface");

        Assert.Same(bySelector, byRecordedId);
        Assert.Equal("generated-insightface", byRecordedId.Backbone.Id);
        var e = await Assert.ThrowsAsync<GalleryException>(() => engine.GetAnalyzerAsync("someone-elses-model"));
        Assert.Equal(GalleryErrorKind.Conflict, e.Kind);
        Assert.Contains("not the configured custom model ('generated-insightface')", e.Message, StringComparison.Ordinal);
        Assert.Contains("mote gallery migrate", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CustomModels_ForAPipelineBuiltOutsideTheAnalyzers_DescribesWithTheConfiguredModel()
    {
        var engine = _db.Services.GetRequiredService<GalleryEngine>();
        var pack = await _db.Services.GetRequiredService<ModelPackService>().GetAsync();
        using var sessions = new OnnxSessionFactory();

        // What EvaluationInputs builds: without the factory, `custom` failed with "No custom recognition model is configured".
        using var pipeline = new FacePipeline(new FacePipelineOptions { Backbone = FaceDescribers.Custom }, pack, sessions, custom: engine.CustomModels(sessions));

        Assert.Equal("generated-insightface", pipeline.Describer.BackboneId);
        Assert.Equal(48, pipeline.Describer.Dimension);
    }

    private static byte[] PooledRecognitionModel()
    {
        var g = new OnnxGraphBuilder("generated-insightface");
        var input = g.AddInput("input.1", OnnxElementType.Float, "batch", 3, 112, 112);
        var pooled = g.AddNode("AveragePool", [input], "pooled", new Dictionary<string, object> { ["kernel_shape"] = new long[] { 28, 28 }, ["strides"] = new long[] { 28, 28 } });
        var embedding = g.AddNode("Flatten", [pooled], "683", new Dictionary<string, object> { ["axis"] = 1L });
        g.AddOutput(embedding, OnnxElementType.Float, "batch", 48);
        return OnnxModelWriter.Write(g, new OnnxModelInfo("mote-tests", "1", "generated InsightFace-style recognition model", new Dictionary<string, string>()));
    }
}
