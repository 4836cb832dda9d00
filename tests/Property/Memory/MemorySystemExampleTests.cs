using System.Runtime.InteropServices;
using Emulator.Memory;

namespace Emulator.Tests.Property.Memory;

/// <summary>Hand-checked cases of NVIDIA's documented semantics; the properties next door explore sequences.</summary>
public sealed unsafe class MemorySystemExampleTests
{
    private const ulong MiB = 1UL << 20;
    private const ulong G = MemorySystem.VirtualGranularity;

    private static MemorySystem NewSystem(params ulong[] capacities) =>
        MemorySystem.CreatePrivate(capacities.Length == 0 ? [256 * MiB] : capacities);

    [Fact]
    public void Allocation_is_aligned_zeroed_writable_and_accounted()
    {
        using var memory = NewSystem();
        memory.Allocate(0, 1000, out ulong a).ShouldBe(MemoryStatus.Success);
        (a % 256).ShouldBe(0UL);
        memory.UsedBytes(0).ShouldBe(4096UL);
        new Span<byte>((void*)a, 1000).ToArray().ShouldAllBe(b => b == 0);
        *(byte*)(a + 999) = 7;
        memory.GetAddressRange(a + 500, out ulong b, out ulong size).ShouldBe(MemoryStatus.Success);
        (b, size).ShouldBe((a, 1000UL));
        memory.TryResolve(a, 1000, AccessKind.Write, out _).ShouldBeTrue();
        memory.TryResolve(a, 1001, AccessKind.Read, out _).ShouldBeFalse();
        memory.Free(a + 8).ShouldBe(MemoryStatus.InvalidValue);
        memory.Free(a).ShouldBe(MemoryStatus.Success);
        memory.Free(a).ShouldBe(MemoryStatus.InvalidValue);
        memory.TryResolve(a, 1, AccessKind.Read, out _).ShouldBeFalse();
        memory.UsedBytes(0).ShouldBe(0UL);
    }

    [Fact]
    public void Freed_pages_go_back_to_the_os_and_the_same_request_gets_the_same_address()
    {
        using var memory = NewSystem();
        memory.Allocate(0, 3 * 4096, out ulong first).ShouldBe(MemoryStatus.Success);
        new Span<byte>((void*)first, 3 * 4096).Fill(0x5a);
        memory.Free(first).ShouldBe(MemoryStatus.Success);
        memory.Allocate(0, 3 * 4096, out ulong second).ShouldBe(MemoryStatus.Success);
        second.ShouldBe(first, "first fit reuses the freed range");
        new Span<byte>((void*)second, 3 * 4096).ToArray().ShouldAllBe(b => b == 0, "MADV_DONTNEED dropped the old bytes");
    }

    [Fact]
    public void Out_of_memory_exactly_at_capacity()
    {
        using var memory = NewSystem(16 * MiB);
        memory.Allocate(0, 16 * MiB, out ulong a).ShouldBe(MemoryStatus.Success);
        memory.Allocate(0, 1, out _).ShouldBe(MemoryStatus.OutOfMemory);
        memory.GetInfo(0, out ulong free, out ulong total).ShouldBe(MemoryStatus.Success);
        (free, total).ShouldBe((0UL, 16 * MiB));
        memory.Free(a).ShouldBe(MemoryStatus.Success);
        memory.Allocate(0, 16 * MiB + 1, out _).ShouldBe(MemoryStatus.OutOfMemory);
    }

    [Fact]
    public void Vmm_two_views_of_one_handle_alias_and_release_waits_for_unmap()
    {
        using var memory = NewSystem();
        memory.CreatePhysical(0, G, out ulong handle).ShouldBe(MemoryStatus.Success);
        memory.ReserveAddress(4 * G, 0, 0, 0, out ulong va).ShouldBe(MemoryStatus.Success);
        memory.Map(va, G, 0, handle, 0).ShouldBe(MemoryStatus.Success);
        memory.Map(va + 2 * G, G, 0, handle, 0).ShouldBe(MemoryStatus.Success);
        memory.TryResolve(va, 8, AccessKind.Read, out _).ShouldBeFalse();
        memory.SetAccess(va, G, [new AccessDescriptor(0, AccessFlags.ReadWrite)]).ShouldBe(MemoryStatus.Success);
        memory.SetAccess(va + 2 * G, G, [new AccessDescriptor(0, AccessFlags.Read)]).ShouldBe(MemoryStatus.Success);
        *(ulong*)(va + 64) = 0xfeed;
        (*(ulong*)(va + 2 * G + 64)).ShouldBe(0xfeedUL);
        memory.TryResolve(va + 2 * G, 8, AccessKind.Write, out _).ShouldBeFalse();
        memory.TryResolve(va + G, 8, AccessKind.Read, out _).ShouldBeFalse();
        memory.ReleasePhysical(handle).ShouldBe(MemoryStatus.Success);
        memory.UsedBytes(0).ShouldBe(G);
        (*(ulong*)(va + 64)).ShouldBe(0xfeedUL);
        memory.Unmap(va, G).ShouldBe(MemoryStatus.Success);
        memory.UsedBytes(0).ShouldBe(G);
        memory.Unmap(va + 2 * G, G).ShouldBe(MemoryStatus.Success);
        memory.UsedBytes(0).ShouldBe(0UL);
        memory.PhysicalAllocationCount.ShouldBe(0);
        memory.FreeAddress(va, 4 * G).ShouldBe(MemoryStatus.Success);
    }

    [Fact]
    public void Copies_and_memsets_may_cross_adjacent_mappings_of_one_reservation_but_not_a_hole()
    {
        using var memory = NewSystem();
        memory.ReserveAddress(4 * G, 0, 0, 0, out ulong va).ShouldBe(MemoryStatus.Success);
        memory.CreatePhysical(0, G, out ulong first).ShouldBe(MemoryStatus.Success);
        memory.CreatePhysical(0, G, out ulong second).ShouldBe(MemoryStatus.Success);
        memory.Map(va, G, 0, first, 0).ShouldBe(MemoryStatus.Success);
        memory.Map(va + G, G, 0, second, 0).ShouldBe(MemoryStatus.Success);
        memory.SetAccess(va, 2 * G, [new AccessDescriptor(0, AccessFlags.ReadWrite)]).ShouldBe(MemoryStatus.Success);

        memory.Memset(va + G - 8, 0xdeadbeef, 4, 4).ShouldBe(MemoryStatus.Success);
        (*(uint*)(va + G - 4)).ShouldBe(0xdeadbeefU);
        (*(uint*)(va + G + 4)).ShouldBe(0xdeadbeefU);
        var back = new byte[16];
        fixed (byte* b = back) memory.Copy((ulong)b, va + G - 8, 16).ShouldBe(MemoryStatus.Success);
        back.ShouldAllBe(x => x == 0xde || x == 0xad || x == 0xbe || x == 0xef);
        memory.Memset(va + 2 * G - 8, 0, 1, 16).ShouldBe(MemoryStatus.InvalidValue, "runs into the unmapped third granule");
        memory.TryResolve(va + G - 8, 16, AccessKind.Write, 0, out var region).ShouldBeTrue();
        region.Base.ShouldBe(va);
    }

    [Fact]
    public void Copies_move_bytes_and_reject_bad_ranges()
    {
        using var memory = NewSystem();
        memory.Allocate(0, 4096, out ulong d).ShouldBe(MemoryStatus.Success);
        var host = new byte[4096];
        for (int i = 0; i < host.Length; i++) host[i] = (byte)i;
        var back = new byte[4096];
        fixed (byte* h = host)
        fixed (byte* r = back)
        {
            memory.Copy(d, OperandKind.Device, (ulong)h, OperandKind.Host, 4096).ShouldBe(MemoryStatus.Success);
            memory.Copy((ulong)r, d, 4096).ShouldBe(MemoryStatus.Success);
            memory.Copy(d + 1, OperandKind.Device, (ulong)h, OperandKind.Host, 4096).ShouldBe(MemoryStatus.InvalidValue);
            memory.Copy(0, OperandKind.Device, (ulong)h, OperandKind.Host, 1).ShouldBe(MemoryStatus.InvalidValue);
        }
        back.ShouldBe(host);
        memory.Memset(d + 2, 0xabcd, 2, 3).ShouldBe(MemoryStatus.Success);
        memory.Memset(d + 1, 0xabcd, 2, 3).ShouldBe(MemoryStatus.InvalidValue);
        (*(ushort*)(d + 6)).ShouldBe((ushort)0xabcd);
    }
}
