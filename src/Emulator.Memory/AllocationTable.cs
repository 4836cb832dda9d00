namespace Emulator.Memory;

/// <summary>
/// Every live region of the unified address space, sorted by address. Readers never lock: they read the
/// current immutable snapshot (a sorted array) and binary-search it, after trying the calling thread's two
/// most recent hits in that snapshot (a kernel typically alternates between a source and a destination
/// buffer). Writers (serialised by the owner's lock) build a new snapshot and publish it atomically, so a
/// reader sees either the old or the new table, never a torn one, and per-thread hits from an older
/// snapshot are never used.
/// </summary>
public sealed class AllocationTable
{
    private sealed class Snapshot(RegionInfo[] regions)
    {
        public readonly RegionInfo[] Regions = regions;
        public readonly ulong[] Bases = Array.ConvertAll(regions, r => r.Base);
    }

    /// <summary>The calling thread's two most recent hits and the snapshot (of any table) they belong to;
    /// one object so a lookup pays for one thread-local access.</summary>
    private sealed class HitCache
    {
        public Snapshot? Snapshot;
        public RegionInfo? Last;
        public RegionInfo? Previous;
    }

    [ThreadStatic] private static HitCache? t_hits;

    private Snapshot _current = new([]);

    public int Count => Volatile.Read(ref _current).Regions.Length;

    /// <summary>All regions in address order (a copy; for diagnostics and tests).</summary>
    public IReadOnlyList<RegionInfo> Regions => Volatile.Read(ref _current).Regions.ToArray();

    /// <summary>The region containing <paramref name="address"/>, or null.</summary>
    public RegionInfo? Find(ulong address)
    {
        var snapshot = Volatile.Read(ref _current);
        int index = IndexContaining(snapshot, address);
        return index < 0 ? null : snapshot.Regions[index];
    }

    /// <summary>
    /// Checks that [address, address+length) lies in accessible memory with the rights <paramref name="kind"/>
    /// needs, as seen by <paramref name="deviceOrdinal"/> (negative: the host, i.e. any device's rights).
    /// A range may run across consecutive pieces of one VMM reservation (ggml maps its pool chunk by chunk and
    /// places tensors across chunk boundaries); it may never run from one allocation into another.
    /// <paramref name="region"/> is the region holding the first byte.
    /// </summary>
    public bool TryResolve(ulong address, ulong length, AccessKind kind, int deviceOrdinal, out RegionInfo region)
    {
        var snapshot = Volatile.Read(ref _current);
        var hits = t_hits;
        if (hits is not null && ReferenceEquals(hits.Snapshot, snapshot))
        {
            var last = hits.Last;
            if (Covers(last, address, length, kind, deviceOrdinal))
            {
                region = last!;
                return true;
            }
            // No reordering on a hit: alternating between two buffers then writes nothing shared.
            var previous = hits.Previous;
            if (Covers(previous, address, length, kind, deviceOrdinal))
            {
                region = previous!;
                return true;
            }
        }
        return ResolveSlow(snapshot, address, length, kind, deviceOrdinal, out region);
    }

    /// <summary><see cref="TryResolve(ulong, ulong, AccessKind, int, out RegionInfo)"/> from the host's point of view.</summary>
    public bool TryResolve(ulong address, ulong length, AccessKind kind, out RegionInfo region) =>
        TryResolve(address, length, kind, -1, out region);

    private static bool Covers(RegionInfo? hit, ulong address, ulong length, AccessKind kind, int deviceOrdinal)
    {
        if (hit is null) return false;
        ulong offset = address - hit.Base;
        return offset < hit.Size && length <= hit.Size - offset && hit.Allows(kind, deviceOrdinal);
    }

    private static bool ResolveSlow(Snapshot snapshot, ulong address, ulong length, AccessKind kind, int device, out RegionInfo region)
    {
        region = null!;
        int index = IndexContaining(snapshot, address);
        if (index < 0) return false;
        var first = snapshot.Regions[index];
        if (!first.Allows(kind, device)) return false;
        if (length > ulong.MaxValue - address) return false;
        ulong end = address + length;
        var current = first;
        while (end > current.End)
        {
            if (!current.IsVirtualMapped || ++index >= snapshot.Regions.Length) return false;
            var next = snapshot.Regions[index];
            if (next.Base != current.End || !next.IsVirtualMapped || next.ReservationBase != first.ReservationBase
                || !next.Allows(kind, device))
                return false;
            current = next;
        }
        // Only single-region hits are cached: the hit test checks one region's bounds.
        if (current == first)
        {
            var hits = t_hits ??= new HitCache();
            if (!ReferenceEquals(hits.Snapshot, snapshot))
            {
                hits.Snapshot = snapshot;
                hits.Last = null;
            }
            hits.Previous = hits.Last;
            hits.Last = first;
        }
        region = first;
        return true;
    }

    /// <summary>True when any region overlaps [address, address+length); allocation-free (copy hot path).</summary>
    public bool AnyOverlapping(ulong address, ulong length)
    {
        var snapshot = Volatile.Read(ref _current);
        ulong end = length > ulong.MaxValue - address ? ulong.MaxValue : address + length;
        int index = Math.Max(0, LastBaseAtOrBelow(snapshot, address));
        for (; index < snapshot.Regions.Length && snapshot.Regions[index].Base < end; index++)
            if (snapshot.Regions[index].End > address) return true;
        return false;
    }

    /// <summary>Regions overlapping [address, address+length), in address order.</summary>
    public List<RegionInfo> Overlapping(ulong address, ulong length)
    {
        var snapshot = Volatile.Read(ref _current);
        var result = new List<RegionInfo>();
        ulong end = length > ulong.MaxValue - address ? ulong.MaxValue : address + length;
        int index = LastBaseAtOrBelow(snapshot, address);
        if (index < 0) index = 0;
        for (; index < snapshot.Regions.Length; index++)
        {
            var region = snapshot.Regions[index];
            if (region.Base >= end) break;
            if (region.End > address) result.Add(region);
        }
        return result;
    }

    /// <summary>Replaces <paramref name="removed"/> regions with <paramref name="added"/> ones in one publication.</summary>
    internal void Update(IReadOnlyCollection<RegionInfo> removed, IReadOnlyCollection<RegionInfo> added)
    {
        var old = _current.Regions;
        var next = new List<RegionInfo>(old.Length - removed.Count + added.Count);
        var removedSet = new HashSet<RegionInfo>(removed, ReferenceEqualityComparer.Instance);
        foreach (var region in old)
            if (!removedSet.Contains(region)) next.Add(region);
        next.AddRange(added);
        next.Sort(static (a, b) => a.Base.CompareTo(b.Base));
        for (int i = 1; i < next.Count; i++)
            if (next[i].Base < next[i - 1].End)
                throw new InvalidOperationException($"allocation table overlap at 0x{next[i].Base:x}");
        Volatile.Write(ref _current, new Snapshot(next.ToArray()));
    }

    /// <summary>Inserts one region (the common cuMemAlloc case) without re-sorting: O(n) copy.</summary>
    internal void Add(RegionInfo region)
    {
        var old = _current.Regions;
        int index = LastBaseAtOrBelow(_current, region.Base) + 1;
        if ((index > 0 && old[index - 1].End > region.Base) || (index < old.Length && old[index].Base < region.End))
            throw new InvalidOperationException($"allocation table overlap at 0x{region.Base:x}");
        var next = new RegionInfo[old.Length + 1];
        Array.Copy(old, next, index);
        next[index] = region;
        Array.Copy(old, index, next, index + 1, old.Length - index);
        Volatile.Write(ref _current, new Snapshot(next));
    }

    /// <summary>Removes one region that is in the table.</summary>
    internal void Remove(RegionInfo region)
    {
        var old = _current.Regions;
        int index = Array.IndexOf(old, region, Math.Max(0, LastBaseAtOrBelow(_current, region.Base)));
        if (index < 0) throw new InvalidOperationException($"region 0x{region.Base:x} is not in the table");
        var next = new RegionInfo[old.Length - 1];
        Array.Copy(old, next, index);
        Array.Copy(old, index + 1, next, index, old.Length - index - 1);
        Volatile.Write(ref _current, new Snapshot(next));
    }

    private static int IndexContaining(Snapshot snapshot, ulong address)
    {
        int index = LastBaseAtOrBelow(snapshot, address);
        return index >= 0 && address - snapshot.Regions[index].Base < snapshot.Regions[index].Size ? index : -1;
    }

    private static int LastBaseAtOrBelow(Snapshot snapshot, ulong address)
    {
        int found = Array.BinarySearch(snapshot.Bases, address);
        return found >= 0 ? found : ~found - 1;
    }
}
