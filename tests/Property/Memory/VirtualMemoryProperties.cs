using Emulator.Memory;
using FsCheck;
using FsCheck.Fluent;

namespace Emulator.Tests.Property.Memory;

/// <summary>
/// Random cuMemCreate / cuMemAddressReserve / cuMemMap / cuMemSetAccess / cuMemUnmap / cuMemRelease /
/// cuMemRetainAllocationHandle / cuMemAddressFree sequences, interleaved with reads and writes through the
/// mapped addresses, against a model that tracks, per 2 MiB granule of address, which handle granule is
/// mapped there and which rights each device has, and, per handle, the bytes written so far. It checks that
/// every status matches NVIDIA's documented rules, that bytes written through one address read back through
/// every other address mapped to the same handle offset, that accesses to reserved-but-unmapped or
/// rights-less ranges are refused by the check (never a crash), and that physical memory is accounted until
/// the last reference and the last mapping are gone.
/// </summary>
public sealed unsafe class VirtualMemoryProperties
{
    private const ulong G = MemorySystem.VirtualGranularity;
    private const ulong MiB = 1UL << 20;
    private const ulong ProbeOffset = 3 * 4096 + 8;
    private static readonly ulong[] Capacities = [16 * MiB, 8 * MiB];
    private static readonly AccessFlags[] Rights = [AccessFlags.None, AccessFlags.Read, AccessFlags.ReadWrite, AccessFlags.Write];

    public abstract record VmmOp;
    public sealed record Create(int Device, int Granules, bool Misaligned) : VmmOp;
    public sealed record Reserve(int Granules) : VmmOp;
    public sealed record FreeReservation(int Pick, bool WrongSize) : VmmOp;
    /// <summary>Grant: follow a successful map with cuMemSetAccess(READWRITE) for device 0, as ggml does.</summary>
    public sealed record Map(int Pick, int Granule, int Handle, int HandleGranule, int Granules, bool Grant) : VmmOp;
    public sealed record Unmap(int Pick, int Granule, int Granules) : VmmOp;
    public sealed record SetAccess(int Pick, int Granule, int Granules, int Device, int Rights) : VmmOp;
    public sealed record Release(int Handle) : VmmOp;
    public sealed record Retain(int Pick, int Granule) : VmmOp;
    /// <summary>Straddle: 16 bytes across the start of the granule instead of 8 inside it.</summary>
    public sealed record Access(int Pick, int Granule, int Device, bool Write, bool Straddle, ulong Value) : VmmOp;

    private static Gen<VmmOp> OpGen
    {
        get
        {
            var pick = Gen.Choose(0, 100);
            var granule = Gen.Frequency((6, Gen.Choose(0, 3)), (1, Gen.Choose(4, 6)));
            return Gen.Frequency(
                (3, from d in Gen.Frequency((8, Gen.Choose(0, 1)), (1, Gen.Elements(-1, 2))) from n in Gen.Frequency((8, Gen.Choose(1, 3)), (1, Gen.Constant(0)))
                    from bad in Gen.Frequency((8, Gen.Constant(false)), (1, Gen.Constant(true)))
                    select (VmmOp)new Create(d, n, bad)),
                (2, Gen.Choose(2, 6).Select(n => (VmmOp)new Reserve(n))),
                (1, from p in pick from wrong in Gen.Elements(false, false, true) select (VmmOp)new FreeReservation(p, wrong)),
                (4, from p in pick from g in granule from h in Gen.Choose(0, 3) from hg in Gen.Choose(0, 1) from n in Gen.Choose(1, 2)
                    from grant in Gen.Elements(true, false) select (VmmOp)new Map(p, g, h, hg, n, grant)),
                (2, from p in pick from g in granule from n in Gen.Choose(0, 3) select (VmmOp)new Unmap(p, g, n)),
                (3, from p in pick from g in granule from n in Gen.Choose(0, 4) from d in Gen.Choose(0, 2) from r in Gen.Choose(0, 3)
                    select (VmmOp)new SetAccess(p, g, n, d, r)),
                (3, Gen.Choose(0, 4).Select(h => (VmmOp)new Release(h))),
                (1, from p in pick from g in granule select (VmmOp)new Retain(p, g)),
                (12, from p in pick from g in granule from d in Gen.Elements(-1, 0, 0, 1) from w in Gen.Elements(true, false)
                    from s in Gen.Elements(false, false, true) from v in Gen.Choose(1, int.MaxValue)
                    select (VmmOp)new Access(p, g, d, w, s, (ulong)v * 0x9E3779B97F4A7C15UL)));
        }
    }

    private sealed class ModelHandle(ulong value, int device, int granules)
    {
        public readonly ulong Value = value;
        public readonly int Device = device;
        public readonly int Granules = granules;
        public int References = 1;
        public int Mappings;
        public readonly Dictionary<ulong, byte> Bytes = [];
        public bool Dead => References == 0 && Mappings == 0;
    }

    private sealed class Slot(ModelHandle handle, int handleGranule, ulong mappingBase, ulong mappingEnd)
    {
        public readonly ModelHandle Handle = handle;
        public readonly int HandleGranule = handleGranule;
        public readonly ulong MappingBase = mappingBase;
        public readonly ulong MappingEnd = mappingEnd;
        public readonly AccessFlags[] Rights = new AccessFlags[Capacities.Length];
        public AccessFlags Union => Rights.Aggregate(AccessFlags.None, (a, b) => a | b);
    }

    private sealed record ModelReservation(ulong Base, int Granules)
    {
        public ulong End => Base + (ulong)Granules * G;
    }

    /// <summary>Runs the sequence against the model; returns every address handed out, relative to the space's base.</summary>
    private static List<ulong> RunAgainstModel(IReadOnlyList<VmmOp> ops)
    {
        using var memory = MemorySystem.CreatePrivate(Capacities);
        var placements = new List<ulong>();
        var handles = new List<ModelHandle>();
        var reservations = new List<ModelReservation>();
        var slots = new Dictionary<ulong, Slot>(); // granule address → what is mapped there

        foreach (var op in ops)
        {
            var tableBefore = memory.Table.Regions;
            MemoryStatus expected, actual;
            switch (op)
            {
                case Create(var device, var granules, var misaligned):
                {
                    ulong size = (ulong)granules * G + (misaligned ? 4096UL : 0);
                    expected = device is < 0 or > 1 ? MemoryStatus.InvalidDevice
                        : granules == 0 || misaligned ? MemoryStatus.InvalidValue
                        : size > Capacities[device] - LiveBytes(handles, device) ? MemoryStatus.OutOfMemory
                        : MemoryStatus.Success;
                    actual = memory.CreatePhysical(device, size, out ulong handle);
                    if (actual == MemoryStatus.Success)
                    {
                        handles.Add(new ModelHandle(handle, device, granules));
                        placements.Add(handle);
                    }
                    break;
                }
                case Reserve(var granules):
                    expected = MemoryStatus.Success;
                    actual = memory.ReserveAddress((ulong)granules * G, 0, 0, 0, out ulong reserved);
                    if (actual == MemoryStatus.Success)
                    {
                        (reserved % G).ShouldBe(0UL);
                        reservations.ShouldAllBe(r => reserved >= r.End || reserved + (ulong)granules * G <= r.Base);
                        reservations.Add(new ModelReservation(reserved, granules));
                        placements.Add(reserved - memory.AddressSpace.Base);
                    }
                    break;
                case FreeReservation(var pick, var wrongSize):
                {
                    if (reservations.Count == 0) continue;
                    var reservation = reservations[pick % reservations.Count];
                    bool hasMappings = slots.Keys.Any(a => a >= reservation.Base && a < reservation.End);
                    expected = wrongSize || hasMappings ? MemoryStatus.InvalidValue : MemoryStatus.Success;
                    actual = memory.FreeAddress(reservation.Base, (ulong)(reservation.Granules + (wrongSize ? 1 : 0)) * G);
                    if (actual == MemoryStatus.Success) reservations.Remove(reservation);
                    break;
                }
                case Map(var pick, var granule, var handlePick, var handleGranule, var granules, var grant):
                {
                    if (reservations.Count == 0) continue;
                    var reservation = reservations[pick % reservations.Count];
                    var handle = handlePick < handles.Count ? handles[handlePick] : null;
                    ulong address = reservation.Base + (ulong)granule * G, size = (ulong)granules * G;
                    // By address: the range may lie in the next reservation when the picked one ends exactly there.
                    bool fits = reservations.Any(r => address >= r.Base && address + size <= r.End);
                    bool free = Enumerable.Range(0, granules).All(i => !slots.ContainsKey(address + (ulong)i * G));
                    expected = handle is { References: > 0 } && handleGranule + granules <= handle.Granules && fits && free
                        ? MemoryStatus.Success : MemoryStatus.InvalidValue;
                    actual = memory.Map(address, size, (ulong)handleGranule * G, handle?.Value ?? 999_999, 0);
                    if (actual == MemoryStatus.Success)
                    {
                        handle!.Mappings++;
                        for (int i = 0; i < granules; i++)
                            slots[address + (ulong)i * G] = new Slot(handle, handleGranule + i, address, address + size);
                        if (grant)
                        {
                            memory.SetAccess(address, size, [new AccessDescriptor(0, AccessFlags.ReadWrite)]).ShouldBe(MemoryStatus.Success);
                            for (int i = 0; i < granules; i++) slots[address + (ulong)i * G].Rights[0] = AccessFlags.ReadWrite;
                        }
                    }
                    break;
                }
                case Unmap(var pick, var granule, var granules):
                {
                    if (reservations.Count == 0) continue;
                    var reservation = reservations[pick % reservations.Count];
                    ulong address = reservation.Base + (ulong)granule * G, end = address + (ulong)granules * G;
                    var covered = new List<Slot>();
                    for (ulong cursor = address; cursor < end;)
                    {
                        if (!slots.TryGetValue(cursor, out var slot) || slot.MappingBase != cursor || slot.MappingEnd > end) { covered = null; break; }
                        covered.Add(slot);
                        cursor = slot.MappingEnd;
                    }
                    expected = granules > 0 && covered is not null ? MemoryStatus.Success : MemoryStatus.InvalidValue;
                    actual = memory.Unmap(address, end - address);
                    if (actual == MemoryStatus.Success)
                        foreach (var mapping in covered!)
                        {
                            mapping.Handle.Mappings--;
                            for (ulong a = mapping.MappingBase; a < mapping.MappingEnd; a += G) slots.Remove(a);
                        }
                    break;
                }
                case SetAccess(var pick, var granule, var granules, var device, var rights):
                {
                    if (reservations.Count == 0) continue;
                    var reservation = reservations[pick % reservations.Count];
                    ulong address = reservation.Base + (ulong)granule * G;
                    bool mapped = Enumerable.Range(0, granules).All(i => slots.ContainsKey(address + (ulong)i * G));
                    expected = granules == 0 ? MemoryStatus.InvalidValue
                        : device > 1 ? MemoryStatus.InvalidDevice
                        : Rights[rights] == AccessFlags.Write || !mapped ? MemoryStatus.InvalidValue
                        : MemoryStatus.Success;
                    actual = memory.SetAccess(address, (ulong)granules * G, [new AccessDescriptor(device, Rights[rights])]);
                    if (actual == MemoryStatus.Success)
                        for (int i = 0; i < granules; i++) slots[address + (ulong)i * G].Rights[device] = Rights[rights];
                    break;
                }
                case Release(var handlePick):
                {
                    var handle = handlePick < handles.Count ? handles[handlePick] : null;
                    expected = handle is { References: > 0 } ? MemoryStatus.Success : MemoryStatus.InvalidValue;
                    actual = memory.ReleasePhysical(handle?.Value ?? 999_999);
                    if (actual == MemoryStatus.Success) handle!.References--;
                    break;
                }
                case Retain(var pick, var granule):
                {
                    if (reservations.Count == 0) continue;
                    ulong address = reservations[pick % reservations.Count].Base + (ulong)granule * G + ProbeOffset;
                    slots.TryGetValue(address - ProbeOffset, out var slot);
                    expected = slot is null ? MemoryStatus.InvalidValue : MemoryStatus.Success;
                    actual = memory.RetainPhysical(address, out ulong retained);
                    if (actual == MemoryStatus.Success)
                    {
                        retained.ShouldBe(slot!.Handle.Value);
                        slot.Handle.References++;
                    }
                    break;
                }
                case Access(var pick, var granule, var device, var write, var straddle, var value):
                {
                    if (reservations.Count == 0) continue;
                    var reservation = reservations[pick % reservations.Count];
                    ulong granuleAddress = reservation.Base + (ulong)granule * G;
                    ulong address = straddle ? granuleAddress - 8 : granuleAddress + ProbeOffset;
                    ulong length = straddle ? 16UL : 8UL;
                    var kind = write ? AccessKind.Write : AccessKind.Read;
                    bool allowed = Allowed(address, length, kind, device);
                    memory.TryResolve(address, length, kind, device, out _).ShouldBe(allowed, op.ToString());
                    if (allowed && write)
                        for (ulong i = 0; i < length; i++)
                        {
                            byte b = (byte)(value >> (int)(8 * (i % 8)));
                            *(byte*)(address + i) = b;
                            var (handle, offset) = Backing(address + i);
                            handle.Bytes[offset] = b;
                        }
                    else if (allowed)
                        for (ulong i = 0; i < length; i++)
                        {
                            var (handle, offset) = Backing(address + i);
                            (*(byte*)(address + i)).ShouldBe(handle.Bytes.GetValueOrDefault(offset), $"byte at +{i} of {op}");
                        }
                    continue;
                }
                default:
                    throw new InvalidOperationException();
            }
            actual.ShouldBe(expected, op.ToString());
            if (actual != MemoryStatus.Success) memory.Table.Regions.ShouldBe(tableBefore, $"failed {op} changed the table");
            for (int device = 0; device < Capacities.Length; device++)
                memory.UsedBytes(device).ShouldBe(LiveBytes(handles, device), $"accounting after {op}");
            memory.PhysicalAllocationCount.ShouldBe(handles.Count(h => !h.Dead));
        }
        return placements;

        bool Allowed(ulong address, ulong length, AccessKind kind, int device)
        {
            var home = reservations.FirstOrDefault(r => address >= r.Base && address < r.End);
            if (home is null || address + length > home.End) return false;
            for (ulong granule = address / G * G; granule < address + length; granule += G)
            {
                if (!slots.TryGetValue(granule, out var slot)) return false;
                var rights = device < 0 ? slot.Union : slot.Rights[device];
                if (((AccessFlags)kind & ~rights) != 0) return false;
            }
            return true;
        }

        (ModelHandle, ulong) Backing(ulong address)
        {
            var slot = slots[address / G * G];
            return (slot.Handle, (ulong)slot.HandleGranule * G + address % G);
        }
    }

    /// <summary>Replays the sequence; on failure the message lists the steps up to the failing one.</summary>
    private static List<ulong> RunWithHistory(List<VmmOp> ops)
    {
        try
        {
            return RunAgainstModel(ops);
        }
        catch (Exception failure)
        {
            for (int length = 1; length <= ops.Count; length++)
            {
                try { RunAgainstModel(ops.GetRange(0, length)); }
                catch (Exception)
                {
                    throw new InvalidOperationException("failing prefix:\n" + string.Join("\n", ops.Take(length)), failure);
                }
            }
            throw;
        }
    }

    /// <summary>Every run starts with handles and reservations to work on, so random steps mostly hit live objects.</summary>
    private static readonly VmmOp[] Setup = [new Create(0, 2, false), new Create(1, 1, false), new Reserve(4), new Reserve(3),
        new Map(0, 0, 0, 0, 2, true), new Map(1, 0, 0, 0, 1, true)];

    private static ulong LiveBytes(List<ModelHandle> handles, int device) =>
        handles.Where(h => !h.Dead && h.Device == device).Aggregate(0UL, (sum, h) => sum + (ulong)h.Granules * G);

    [Fact]
    public void Vmm_matches_model()
    {
        var property = Prop.ForAll(Gen.ListOf(OpGen).ToArbitrary(), (List<VmmOp> ops) => { RunWithHistory([.. Setup, .. ops]); });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(300).WithEndSize(150), property);
    }

    [Fact]
    public void Same_sequence_gives_same_reservations_and_handles()
    {
        var property = Prop.ForAll(Gen.ListOf(OpGen).ToArbitrary(), (List<VmmOp> ops) =>
            RunWithHistory([.. Setup, .. ops]).SequenceEqual(RunWithHistory([.. Setup, .. ops])));
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(50), property);
    }
}
