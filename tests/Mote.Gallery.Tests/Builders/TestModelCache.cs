using Mote.Core.Models;

namespace Mote.Gallery.Tests.Builders;

/// <summary>The provisioned model cache the engine tests share: <c>$MOTE_MODEL_CACHE</c>, else <c>/tmp/mote-test-models</c>.</summary>
public static class TestModelCache
{
    public static string Folder => Environment.GetEnvironmentVariable(ModelPackOptions.CacheDirEnvironmentVariable) is { Length: > 0 } configured
        ? configured
        : Path.Combine(Path.GetTempPath(), "mote-test-models");
}
