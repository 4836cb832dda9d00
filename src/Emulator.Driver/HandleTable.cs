using System.Collections.Concurrent;

namespace Emulator.Driver;

/// <summary>
/// Opaque handles for driver objects. Values are deterministic (a kind tag in bits 40..47 and a serial number that
/// is never reused), so a destroyed handle stays invalid forever and traces are identical run to run.
/// <see cref="Add"/> and <see cref="Remove"/> are serialised by the owner's lock; <see cref="TryGet"/> is also
/// safe without it, so hot-path lookups (a stream handle on every launch) need not take that lock. The table is
/// never enumerated, so no hash order can reach an output.
/// </summary>
internal sealed class HandleTable<T> where T : class
{
    private readonly ConcurrentDictionary<nint, T> _objects = new();
    private readonly long _tag;
    private long _nextSerial = 1;

    public HandleTable(byte kindTag) => _tag = (long)kindTag << 40;

    public nint Add(T value)
    {
        var handle = (nint)(_tag | (_nextSerial++ << 4));
        _objects[handle] = value;
        return handle;
    }

    public bool TryGet(nint handle, out T value) => _objects.TryGetValue(handle, out value!);

    public bool Remove(nint handle) => _objects.TryRemove(handle, out _);

    public int Count => _objects.Count;
}
