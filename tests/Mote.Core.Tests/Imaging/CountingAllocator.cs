using System.Buffers;
using SixLabors.ImageSharp.Memory;

namespace Mote.Core.Tests.Imaging;

/// <summary>An ImageSharp allocator that records the largest single request, to prove a refusal came before allocation.</summary>
internal sealed class CountingAllocator : MemoryAllocator
{
    private readonly MemoryAllocator _inner = new SimpleGcMemoryAllocator();
    private long _largestBytes;
    private long _totalBytes;

    public long LargestBytes => Interlocked.Read(ref _largestBytes);

    public long TotalBytes => Interlocked.Read(ref _totalBytes);

    public override IMemoryOwner<T> Allocate<T>(int length, AllocationOptions options = AllocationOptions.None)
    {
        var bytes = (long)length * System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
        Interlocked.Add(ref _totalBytes, bytes);
        long seen;
        do
        {
            seen = Interlocked.Read(ref _largestBytes);
        }
        while (bytes > seen && Interlocked.CompareExchange(ref _largestBytes, bytes, seen) != seen);

        return _inner.Allocate<T>(length, options);
    }

    protected override int GetBufferCapacityInBytes() => 64 * 1024 * 1024;
}
