using Mote.Core.Faces.Descriptors;
using Mote.Core.Faces.Detection;
using Mote.Core.Imaging;
using Mote.Core.Models;
using Mote.Core.Tests.Faces.Detection;

namespace Mote.Core.Tests.Faces.Descriptors;

public sealed class OnnxRecognitionCustomFactoryTests : IDisposable
{
    private readonly OnnxSessionFactory _sessions = new(new OnnxSessionOptions { IntraOpThreads = 1 });
    private readonly string _dir = Directory.CreateTempSubdirectory("mote-custom-").FullName;

    [Fact]
    public void CreateDescriber_RelativePathUnderBaseDirectory_LoadsConfiguredModel()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "models"));
        File.WriteAllBytes(Path.Combine(_dir, "models", "rec.onnx"), new TinyRecognitionModel().Write(8, 8));
        var options = new CustomModelOptions
        {
            Recognition = new OnnxRecognitionOptions { Path = "models/rec.onnx", BackboneId = "my-rec", InputWidth = 8, InputHeight = 8 },
        };
        var factory = new CustomModelFactory(options, _sessions, _dir);

        using var describer = factory.CreateDescriber();

        Assert.True(factory.HasRecognition);
        Assert.Equal("my-rec", describer.BackboneId);
        Assert.Equal(TinyRecognitionModel.Features, describer.Dimension);
        Assert.Single(describer.Describe([RgbImage.Create(8, 8, p => p.Fill(90))]));
        Assert.Equal("models/rec.onnx", options.Recognition.Path); // options not modified
    }

    [Fact]
    public void CreateDetector_ConfiguredFile_LoadsScrfd()
    {
        var model = new DesignedScrfdModel();
        model.Set(8, 39, 0.9f, [1, 2, 3, 4], new float[10]);
        File.WriteAllBytes(Path.Combine(_dir, "det.onnx"), model.Write());
        var factory = new CustomModelFactory(new CustomModelOptions { Detector = new ScrfdOptions { Path = "det.onnx", InputSize = 64, Id = "det-test" } }, _sessions, _dir);

        using var detector = factory.CreateDetector();

        Assert.Equal("det-test", detector.Id);
        Assert.Single(detector.Detect(RgbImage.Create(64, 64, _ => { })));
    }

    [Fact]
    public void CreateDescriber_NotConfigured_ThrowsNamingSetting()
    {
        var factory = new CustomModelFactory(new CustomModelOptions(), _sessions, _dir);

        var error = Assert.Throws<CustomModelConfigurationException>(() => factory.CreateDescriber());

        Assert.False(factory.HasRecognition);
        Assert.Contains("Mote:Faces:Custom:Recognition:Path", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CreateDetector_FileMissing_ThrowsNamingSettingAndResolvedPath()
    {
        var factory = new CustomModelFactory(new CustomModelOptions { Detector = new ScrfdOptions { Path = "absent/det_10g.onnx" } }, _sessions, _dir);

        var error = Assert.Throws<CustomModelConfigurationException>(() => factory.CreateDetector());

        Assert.True(factory.HasDetector);
        Assert.Contains("Mote:Faces:Custom:Detector:Path", error.Message, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(_dir, "absent", "det_10g.onnx"), error.Message, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        _sessions.Dispose();
        Directory.Delete(_dir, recursive: true);
    }
}
