namespace Emulator.Driver.Runtime;

/// <summary>
/// Opaque C handles for runtime-owned objects (graphs, executable graphs, kernels). Values are
/// <c>base + 16·n</c> in creation order, so handles are the same on every run and never collide
/// between tables with different bases; they are never dereferenced by a correct program.
/// </summary>
public sealed class HandleTable<T> where T : class
{
    private readonly Lock _lock = new();
    private readonly Dictionary<nint, T> _objects = new();
    private readonly nint _base;
    private long _next;

    public HandleTable(nint @base) => _base = @base;

    public nint Add(T value)
    {
        lock (_lock)
        {
            var handle = _base + (nint)(++_next * 16);
            _objects[handle] = value;
            return handle;
        }
    }

    public bool TryGet(nint handle, out T value)
    {
        lock (_lock)
            return _objects.TryGetValue(handle, out value!);
    }

    public bool Remove(nint handle, out T value)
    {
        lock (_lock)
            return _objects.Remove(handle, out value!);
    }

    public int Count
    {
        get { lock (_lock) return _objects.Count; }
    }
}
