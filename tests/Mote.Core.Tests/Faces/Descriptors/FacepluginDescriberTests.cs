using Mote.Core.Faces.Descriptors;
using Mote.Core.Faces.Pipeline;
using Mote.Core.Tests.Models;
using Xunit.Abstractions;

namespace Mote.Core.Tests.Faces.Descriptors;

/// <summary>The <c>faceplugin-fr</c> backbone through the pipeline, on real LFW photos.</summary>
[Collection(ModelPackCollection.Name)]
public sealed class FacepluginDescriberTests(ModelPackFixture models, ITestOutputHelper output)
{
    [DatasetFact("lfw-dev")]
    public void Describe_TwoPhotosOfOnePerson_MoreSimilarThanTwoPeople()
    {
        using var pipeline = new FacePipeline(new FacePipelineOptions { Backbone = FacepluginDescriber.Id }, models.Pack);
        float[] Describe(string identity, int number) => pipeline.DescribeBestFace(
            File.ReadAllBytes(Path.Combine(TestDatasets.Find("lfw-dev")!, "images", identity, $"{identity}_{number:0000}.jpg"))).Descriptor;

        var merkel1 = Describe("Angela_Merkel", 1);
        var merkel2 = Describe("Angela_Merkel", 2);
        var other = Describe("Aaron_Eckhart", 1);
        var same = DescriptorMath.Cosine(merkel1, merkel2);
        var different = DescriptorMath.Cosine(merkel1, other);
        output.WriteLine($"same person {same:F3}, different people {different:F3}");

        Assert.Equal(FacepluginDescriber.Id, pipeline.Describer.BackboneId);
        Assert.Equal(512, merkel1.Length);
        Assert.Equal(1.0, Math.Sqrt(merkel1.Sum(v => (double)v * v)), 4);
        Assert.True(same > different + 0.2, $"same person {same:F3} is not clearly above different people {different:F3}");
    }
}
