using Mote.Core.Evaluation;

namespace Mote.Core.Tests.Evaluation;

public sealed class DescriptorCacheTests : IDisposable
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), $"mote-desc-{Guid.NewGuid():N}");

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void Add_ThenReopen_ReturnsDescriptorsAndNoFaceEntries()
    {
        var hashA = DescriptorCache.HashOf([1, 2, 3]);
        var hashB = DescriptorCache.HashOf([4]);
        using (var cache = DescriptorCache.Open(folder, "dlib-resnet", "abcdef0123456789abcdef", 3))
        {
            cache.Add(hashA, [0.1f, 0.2f, 0.3f]);
            cache.Add(hashB, null);
        }

        using var reopened = DescriptorCache.Open(folder, "dlib-resnet", "abcdef0123456789abcdef", 3);

        Assert.Equal(2, reopened.Count);
        Assert.True(reopened.TryGet(hashA, out var a));
        Assert.Equal([0.1f, 0.2f, 0.3f], a!);
        Assert.True(reopened.TryGet(hashB, out var b));
        Assert.Null(b);
        Assert.False(reopened.TryGet(DescriptorCache.HashOf([9]), out _));
    }

    [Fact]
    public void Open_TruncatedTail_KeepsCompleteRecords()
    {
        string path;
        using (var cache = DescriptorCache.Open(folder, "b", "0123456789abcdef", 2))
        {
            cache.Add(DescriptorCache.HashOf([1]), [1f, 2f]);
            cache.Add(DescriptorCache.HashOf([2]), [3f, 4f]);
            path = cache.Path;
        }

        using (var stream = new FileStream(path, FileMode.Open))
        {
            stream.SetLength(stream.Length - 5);
        }

        using (var reopened = DescriptorCache.Open(folder, "b", "0123456789abcdef", 2))
        {
            Assert.Equal(1, reopened.Count);
            reopened.Add(DescriptorCache.HashOf([3]), [5f, 6f]);
        }

        using var again = DescriptorCache.Open(folder, "b", "0123456789abcdef", 2);
        Assert.Equal(2, again.Count);
        Assert.True(again.TryGet(DescriptorCache.HashOf([3]), out var c));
        Assert.Equal([5f, 6f], c!);
    }

    [Fact]
    public void Open_OtherDimension_Throws()
    {
        using (DescriptorCache.Open(folder, "b", "0123456789abcdef", 2))
        {
        }

        Assert.Throws<InvalidDataException>(() => DescriptorCache.Open(folder, "b", "0123456789abcdef", 3));
    }
}
