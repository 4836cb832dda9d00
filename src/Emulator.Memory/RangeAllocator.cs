namespace Emulator.Memory;

/// <summary>
/// Hands out address ranges from one window, first fit in address order: the same sequence of requests
/// always yields the same addresses. Free ranges are kept sorted and coalesced. Not thread-safe (the owner
/// serialises writers).
/// </summary>
internal sealed class RangeAllocator
{
    private readonly List<(ulong Start, ulong End)> _free = [];

    public RangeAllocator(ulong start, ulong size)
    {
        Start = start;
        End = start + size;
        _free.Add((start, End));
    }

    public ulong Start { get; }
    public ulong End { get; }

    /// <summary>Lowest <paramref name="alignment"/>-aligned range of <paramref name="size"/> bytes, or false.</summary>
    public bool TryAllocate(ulong size, ulong alignment, out ulong address)
    {
        address = 0;
        if (size == 0 || alignment == 0) return false;
        for (int i = 0; i < _free.Count; i++)
        {
            var (start, end) = _free[i];
            ulong aligned = AlignUp(start, alignment);
            if (aligned < start || aligned >= end || end - aligned < size) continue;
            Carve(i, aligned, aligned + size);
            address = aligned;
            return true;
        }
        return false;
    }

    /// <summary>Takes exactly [address, address+size) if it is entirely free.</summary>
    public bool TryAllocateAt(ulong address, ulong size)
    {
        if (size == 0 || address < Start || address > End || End - address < size) return false;
        for (int i = 0; i < _free.Count; i++)
        {
            var (start, end) = _free[i];
            if (address >= start && address + size <= end)
            {
                Carve(i, address, address + size);
                return true;
            }
        }
        return false;
    }

    /// <summary>Returns a range previously handed out (the caller guarantees that).</summary>
    public void Release(ulong address, ulong size)
    {
        ulong end = address + size;
        int index = 0;
        while (index < _free.Count && _free[index].Start < address) index++;
        bool joinsPrevious = index > 0 && _free[index - 1].End == address;
        bool joinsNext = index < _free.Count && _free[index].Start == end;
        if (joinsPrevious && joinsNext)
        {
            _free[index - 1] = (_free[index - 1].Start, _free[index].End);
            _free.RemoveAt(index);
        }
        else if (joinsPrevious) _free[index - 1] = (_free[index - 1].Start, end);
        else if (joinsNext) _free[index] = (address, _free[index].End);
        else _free.Insert(index, (address, end));
    }

    private void Carve(int index, ulong start, ulong end)
    {
        var (freeStart, freeEnd) = _free[index];
        _free.RemoveAt(index);
        if (end < freeEnd) _free.Insert(index, (end, freeEnd));
        if (freeStart < start) _free.Insert(index, (freeStart, start));
    }

    private static ulong AlignUp(ulong value, ulong alignment)
    {
        ulong remainder = value % alignment;
        return remainder == 0 ? value : value + (alignment - remainder);
    }
}
