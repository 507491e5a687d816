using Mote.Core.Models;

namespace Mote.Core.Tests.Models;

public sealed class ModelPackOptionsTests
{
    [Fact]
    public void DefaultCacheDir_EnvironmentVariableSet_UsesIt()
    {
        var dir = ModelPackOptions.DefaultCacheDir(name => name == "MOTE_MODEL_CACHE" ? "/srv/mote/models" : null);

        Assert.Equal("/srv/mote/models", dir);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void DefaultCacheDir_EnvironmentVariableUnsetOrBlank_UsesHomeCache(string? value)
    {
        var dir = ModelPackOptions.DefaultCacheDir(_ => value);

        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        Assert.Equal(Path.Combine(home, ".cache", "mote", "models"), dir);
    }

    [Fact]
    public void Constructor_Defaults_NpmOnPathAndOneGibibyteCap()
    {
        var options = new ModelPackOptions();

        Assert.Equal("npm", options.NpmExecutable);
        Assert.Equal(1L << 30, options.MaxExtractedBytes);
        Assert.Equal(TimeSpan.FromMinutes(10), options.NpmTimeout);
    }
}
