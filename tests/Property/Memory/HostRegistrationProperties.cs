using Emulator.Memory;
using FsCheck;
using FsCheck.Fluent;

namespace Emulator.Tests.Property.Memory;

/// <summary>
/// Random cuMemHostRegister / cuMemHostUnregister over one host buffer against a list of registered
/// intervals: overlapping a registration is HostMemoryAlreadyRegistered, unregistering anything but a
/// registration's base is HostMemoryNotRegistered, and the check answers exactly for registered bytes.
/// </summary>
public sealed unsafe class HostRegistrationProperties
{
    private const int BufferSize = 64 * 1024;

    public abstract record RegistrationOp;
    public sealed record Register(int Offset, int Size, bool ReadOnly) : RegistrationOp;
    public sealed record Unregister(int Offset) : RegistrationOp;
    public sealed record Probe(int Offset, int Length, bool Write) : RegistrationOp;

    private static Gen<RegistrationOp> OpGen => Gen.Frequency(
        (3, from offset in Gen.Choose(0, BufferSize - 1) from size in Gen.Choose(1, 8000) from ro in Gen.Elements(false, false, true)
            select (RegistrationOp)new Register(offset, Math.Min(size, BufferSize - offset), ro)),
        (2, from offset in Gen.Choose(0, BufferSize - 1) select (RegistrationOp)new Unregister(offset)),
        (3, from offset in Gen.Choose(0, BufferSize - 1) from length in Gen.Choose(1, 3000) from write in Gen.Elements(true, false)
            select (RegistrationOp)new Probe(offset, Math.Min(length, BufferSize - offset), write)));

    private static void RunAgainstModel(IReadOnlyList<RegistrationOp> ops)
    {
        using var memory = MemorySystem.CreatePrivate([1UL << 24]);
        var buffer = GC.AllocateArray<byte>(BufferSize, pinned: true);
        var registered = new List<(int Start, int End, bool ReadOnly)>();
        fixed (byte* start = buffer)
        {
            ulong b = (ulong)start;
            foreach (var op in ops)
            {
                switch (op)
                {
                    case Register(var offset, var size, var readOnly):
                    {
                        bool overlaps = registered.Any(r => offset < r.End && r.Start < offset + size);
                        var expected = overlaps ? MemoryStatus.HostMemoryAlreadyRegistered : MemoryStatus.Success;
                        memory.RegisterHost(b + (ulong)offset, (ulong)size, readOnly ? HostRegisterFlags.ReadOnly : HostRegisterFlags.DeviceMap)
                            .ShouldBe(expected, op.ToString());
                        if (!overlaps) registered.Add((offset, offset + size, readOnly));
                        break;
                    }
                    case Unregister(var offset):
                    {
                        int exact = registered.FindIndex(r => r.Start == offset);
                        // Half the time aim at an existing base, so successes are frequent.
                        if (exact < 0 && registered.Count > 0 && offset % 2 == 0)
                        {
                            exact = offset / 2 % registered.Count;
                            offset = registered[exact].Start;
                        }
                        var expected = exact >= 0 ? MemoryStatus.Success : MemoryStatus.HostMemoryNotRegistered;
                        memory.UnregisterHost(b + (ulong)offset).ShouldBe(expected, op.ToString());
                        if (exact >= 0) registered.RemoveAt(exact);
                        break;
                    }
                    case Probe(var offset, var length, var write):
                    {
                        var home = registered.FirstOrDefault(r => offset >= r.Start && offset < r.End);
                        bool expected = home != default && offset + length <= home.End && !(write && home.ReadOnly);
                        memory.TryResolve(b + (ulong)offset, (ulong)length, write ? AccessKind.Write : AccessKind.Read, out _)
                            .ShouldBe(expected, op.ToString());
                        break;
                    }
                }
                memory.Table.Count.ShouldBe(registered.Count);
            }
        }
    }

    [Fact]
    public void Registration_matches_interval_model()
    {
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(200),
            Prop.ForAll(Gen.ListOf(OpGen).ToArbitrary(), (List<RegistrationOp> ops) => { RunAgainstModel(ops); }));
    }
}
