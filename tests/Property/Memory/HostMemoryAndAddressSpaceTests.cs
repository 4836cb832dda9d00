using System.Runtime.InteropServices;
using Emulator.Memory;

namespace Emulator.Tests.Property.Memory;

/// <summary>Host memory registration rules, address-space placement, pointer attributes, 3D copies, bad input.</summary>
public sealed unsafe class HostMemoryAndAddressSpaceTests
{
    private const ulong MiB = 1UL << 20;
    private const ulong G = MemorySystem.VirtualGranularity;

    private static MemorySystem NewSystem() => MemorySystem.CreatePrivate([64 * MiB, 32 * MiB]);

    [Fact]
    public void Page_locked_host_memory_is_its_own_device_pointer_and_keeps_its_flags()
    {
        using var memory = NewSystem();
        memory.AllocateHost(100, HostAllocFlags.DeviceMap | HostAllocFlags.Portable, out ulong host).ShouldBe(MemoryStatus.Success);
        memory.GetHostDevicePointer(host + 10, 0, out ulong device).ShouldBe(MemoryStatus.Success);
        device.ShouldBe(host + 10);
        memory.GetHostDevicePointer(host, 1, out _).ShouldBe(MemoryStatus.InvalidValue);
        memory.GetHostFlags(host, out var flags).ShouldBe(MemoryStatus.Success);
        flags.ShouldBe(HostAllocFlags.DeviceMap | HostAllocFlags.Portable);
        memory.GetPointerInfo(host + 99, out var info).ShouldBe(MemoryStatus.Success);
        (info.Kind, info.DeviceOrdinal, info.Base, info.Size).ShouldBe((MemoryKind.HostAllocated, -1, host, 100UL));
        memory.UsedBytes(0).ShouldBe(0UL, "page-locked host memory is not device memory");
        memory.AllocateHost(100, (HostAllocFlags)8, out _).ShouldBe(MemoryStatus.InvalidValue);
        memory.AllocateHost(0, HostAllocFlags.None, out _).ShouldBe(MemoryStatus.InvalidValue);
        memory.Free(host).ShouldBe(MemoryStatus.InvalidValue, "cuMemFree does not free host memory");
        memory.FreeHost(host).ShouldBe(MemoryStatus.Success);
        memory.FreeHost(host).ShouldBe(MemoryStatus.InvalidValue);
    }

    [Fact]
    public void Registering_host_memory_detects_overlap_and_unmapped_ranges()
    {
        using var memory = NewSystem();
        var buffer = GC.AllocateArray<byte>(10_000, pinned: true);
        fixed (byte* p = buffer)
        {
            ulong address = (ulong)p;
            memory.RegisterHost(address, 8000, HostRegisterFlags.DeviceMap).ShouldBe(MemoryStatus.Success);
            memory.RegisterHost(address + 4000, 100, HostRegisterFlags.None).ShouldBe(MemoryStatus.HostMemoryAlreadyRegistered);
            memory.RegisterHost(address + 7999, 2000, HostRegisterFlags.None).ShouldBe(MemoryStatus.HostMemoryAlreadyRegistered);
            memory.RegisterHost(address + 8000, 2000, HostRegisterFlags.ReadOnly).ShouldBe(MemoryStatus.Success);
            memory.GetHostDevicePointer(address + 5, 0, out ulong device).ShouldBe(MemoryStatus.Success);
            device.ShouldBe(address + 5);
            memory.TryResolve(address + 8000, 10, AccessKind.Write, out _).ShouldBeFalse("read-only registration");
            memory.TryResolve(address + 8000, 10, AccessKind.Read, out _).ShouldBeTrue();
            memory.UnregisterHost(address + 1).ShouldBe(MemoryStatus.HostMemoryNotRegistered);
            memory.UnregisterHost(address).ShouldBe(MemoryStatus.Success);
            memory.UnregisterHost(address).ShouldBe(MemoryStatus.HostMemoryNotRegistered);
            memory.UnregisterHost(address + 8000).ShouldBe(MemoryStatus.Success);
            memory.RegisterHost(0, 10, HostRegisterFlags.None).ShouldBe(MemoryStatus.InvalidValue);
            memory.RegisterHost(address, 10, (HostRegisterFlags)0x40).ShouldBe(MemoryStatus.InvalidValue);
        }

        // A range that is not mapped in the process is refused, not touched. Linux never maps below
        // vm.mmap_min_addr (64 KiB by default), so page 1 is a hole no parallel test can fill.
        memory.RegisterHost(0x1000, 4096, HostRegisterFlags.None).ShouldBe(MemoryStatus.InvalidValue);

        memory.Allocate(0, 4096, out ulong deviceMemory).ShouldBe(MemoryStatus.Success);
        memory.RegisterHost(deviceMemory, 4096, HostRegisterFlags.None).ShouldBe(MemoryStatus.InvalidValue);
        memory.AllocateHost(4096, HostAllocFlags.None, out ulong pinned).ShouldBe(MemoryStatus.Success);
        memory.RegisterHost(pinned, 4096, HostRegisterFlags.None).ShouldBe(MemoryStatus.HostMemoryAlreadyRegistered);
    }

    [Fact]
    public void Address_space_lands_on_the_requested_base_or_says_why_not()
    {
        using var probe = AddressSpace.Reserve(64 * MiB);
        ulong wanted = probe.Base;
        probe.Dispose();
        using var placed = AddressSpace.Reserve(64 * MiB, wanted);
        placed.Base.ShouldBe(wanted);
        placed.IsAtRequestedBase.ShouldBeTrue();

        var log = new List<string>();
        using var displaced = AddressSpace.Reserve(64 * MiB, wanted, log.Add);
        displaced.IsAtRequestedBase.ShouldBeFalse();
        displaced.Base.ShouldNotBe(wanted);
        log.Count.ShouldBe(1);
        log[0].ShouldContain($"0x{wanted:x}");
    }

    [Fact]
    public void Reserved_but_unused_address_space_never_resolves()
    {
        using var memory = NewSystem();
        ulong b = memory.AddressSpace.Base;
        memory.TryResolve(b, 1, AccessKind.Read, out _).ShouldBeFalse();
        memory.GetPointerInfo(b, out _).ShouldBe(MemoryStatus.InvalidValue);
        memory.GetAddressRange(b, out _, out _).ShouldBe(MemoryStatus.InvalidValue);
        memory.Copy(b, OperandKind.Unified, b + 4096, OperandKind.Unified, 16).ShouldBe(MemoryStatus.InvalidValue,
            "unallocated addresses inside the device range are not host memory");
    }

    [Fact]
    public void Devices_allocate_from_separate_windows_and_account_separately()
    {
        using var memory = NewSystem();
        memory.Allocate(1, 1000, out ulong onOne).ShouldBe(MemoryStatus.Success);
        memory.Allocate(0, 1000, out ulong onZero).ShouldBe(MemoryStatus.Success);
        onZero.ShouldBe(memory.AddressSpace.Base, "first allocation of device 0 opens its window");
        onOne.ShouldBe(memory.AddressSpace.Base + memory.Layout.DeviceWindowSize);
        memory.GetPointerInfo(onOne, out var info).ShouldBe(MemoryStatus.Success);
        info.DeviceOrdinal.ShouldBe(1);
        memory.Allocate(2, 1000, out _).ShouldBe(MemoryStatus.InvalidDevice);
        memory.GetInfo(2, out _, out _).ShouldBe(MemoryStatus.InvalidDevice);
        memory.AllocateManaged(0, 5000, ManagedAttachFlags.Global, out ulong managed).ShouldBe(MemoryStatus.Success);
        memory.GetPointerInfo(managed, out var managedInfo).ShouldBe(MemoryStatus.Success);
        managedInfo.Kind.ShouldBe(MemoryKind.Managed);
        memory.AllocateManaged(0, 5000, (ManagedAttachFlags)3, out _).ShouldBe(MemoryStatus.InvalidValue);
        memory.UsedBytes(0).ShouldBe(4096UL + 8192UL);
        memory.UsedBytes(1).ShouldBe(4096UL);
    }

    [Fact]
    public void Pitch_allocation_follows_cuMemAllocPitch_rules()
    {
        using var memory = NewSystem();
        memory.AllocatePitch(0, 1000, 3, 4, out ulong address, out ulong pitch).ShouldBe(MemoryStatus.Success);
        pitch.ShouldBe(1024UL);
        memory.GetAddressRange(address, out _, out ulong size).ShouldBe(MemoryStatus.Success);
        size.ShouldBe(3072UL);
        memory.AllocatePitch(0, 1000, 3, 2, out _, out _).ShouldBe(MemoryStatus.InvalidValue);
        memory.AllocatePitch(0, 0, 3, 4, out _, out _).ShouldBe(MemoryStatus.InvalidValue);
        memory.AllocatePitch(0, 512, 0, 16, out _, out _).ShouldBe(MemoryStatus.InvalidValue);
    }

    [Fact]
    public void Copy3D_moves_a_box_between_pitched_volumes()
    {
        using var memory = NewSystem();
        // Source: 4 slices × 6 rows × 32-byte pitch in device memory; destination: host volume 3 slices × 5 rows × 20 bytes.
        memory.Allocate(0, 4 * 6 * 32, out ulong device).ShouldBe(MemoryStatus.Success);
        for (int i = 0; i < 4 * 6 * 32; i++) ((byte*)device)[i] = (byte)(i * 7 + 1);
        var host = new byte[3 * 5 * 20];
        fixed (byte* h = host)
        {
            var source = new CopyOperand(OperandKind.Device, device, 32, XInBytes: 3, Y: 1, Z: 1, SliceHeight: 6);
            var destination = new CopyOperand(OperandKind.Host, (ulong)h, 20, XInBytes: 2, Y: 2, Z: 0, SliceHeight: 5);
            memory.Copy3D(destination, source, 10, 3, 3).ShouldBe(MemoryStatus.Success);
            memory.Copy3D(destination, source with { Z = 2 }, 10, 3, 3).ShouldBe(MemoryStatus.InvalidValue, "slices 2..4 exceed the source");
            memory.Copy3D(destination, source with { Kind = OperandKind.Array }, 10, 3, 3).ShouldBe(MemoryStatus.NotSupported);
        }
        for (int z = 0; z < 3; z++)
        for (int y = 0; y < 5; y++)
        for (int x = 0; x < 20; x++)
        {
            bool inBox = y >= 2 && x >= 2 && x < 12;
            int srcIndex = ((z + 1) * 6 + (y - 2 + 1)) * 32 + (x - 2 + 3);
            host[(z * 5 + y) * 20 + x].ShouldBe(inBox ? (byte)(srcIndex * 7 + 1) : (byte)0, $"z{z} y{y} x{x}");
        }
    }

    [Fact]
    public void Vmm_bad_input_gets_documented_errors_and_changes_nothing()
    {
        using var memory = NewSystem();
        memory.CreatePhysical(0, G + 4096, out _).ShouldBe(MemoryStatus.InvalidValue);
        memory.CreatePhysical(0, 0, out _).ShouldBe(MemoryStatus.InvalidValue);
        memory.CreatePhysical(5, G, out _).ShouldBe(MemoryStatus.InvalidDevice);
        memory.CreatePhysical(1, 32 * MiB + G, out _).ShouldBe(MemoryStatus.OutOfMemory);
        memory.ReserveAddress(G + 1, 0, 0, 0, out _).ShouldBe(MemoryStatus.InvalidValue);
        memory.ReserveAddress(G, 3 * G, 0, 0, out _).ShouldBe(MemoryStatus.InvalidValue, "alignment must be a power of two");
        memory.ReserveAddress(G, 0, 0, 1, out _).ShouldBe(MemoryStatus.InvalidValue);

        memory.ReserveAddress(32UL << 30, 0, 0, 0, out ulong pool).ShouldBe(MemoryStatus.Success, "ggml reserves 32 GiB");
        memory.CreatePhysical(0, 2 * G, out ulong handle).ShouldBe(MemoryStatus.Success);
        var before = memory.Table.Regions;
        memory.Map(pool + 4096, G, 0, handle, 0).ShouldBe(MemoryStatus.InvalidValue);
        memory.Map(pool, G, 4096, handle, 0).ShouldBe(MemoryStatus.InvalidValue);
        memory.Map(pool, 3 * G, 0, handle, 0).ShouldBe(MemoryStatus.InvalidValue, "beyond the physical allocation");
        memory.Map(pool - G, G, 0, handle, 0).ShouldBe(MemoryStatus.InvalidValue, "outside the reservation");
        memory.Map(pool, G, 0, 12345, 0).ShouldBe(MemoryStatus.InvalidValue);
        memory.SetAccess(pool, G, [new AccessDescriptor(0, AccessFlags.ReadWrite)]).ShouldBe(MemoryStatus.InvalidValue, "nothing mapped");
        memory.Unmap(pool, G).ShouldBe(MemoryStatus.InvalidValue);
        memory.Table.Regions.ShouldBe(before);

        memory.Map(pool, 2 * G, 0, handle, 0).ShouldBe(MemoryStatus.Success);
        memory.Map(pool + G, G, 0, handle, 0).ShouldBe(MemoryStatus.InvalidValue, "already mapped");
        memory.SetAccess(pool, 2 * G, [new AccessDescriptor(0, AccessFlags.ReadWrite), new AccessDescriptor(1, AccessFlags.Read)]).ShouldBe(MemoryStatus.Success);
        memory.GetAccess(1, pool + 5, out var rights).ShouldBe(MemoryStatus.Success);
        rights.ShouldBe(AccessFlags.Read);
        memory.TryResolve(pool, 8, AccessKind.Write, 1, out _).ShouldBeFalse("device 1 may only read");
        memory.TryResolve(pool, 8, AccessKind.Write, 0, out _).ShouldBeTrue();
        memory.Unmap(pool, G).ShouldBe(MemoryStatus.InvalidValue, "part of a mapping");
        memory.FreeAddress(pool, 32UL << 30).ShouldBe(MemoryStatus.InvalidValue, "still mapped");
        memory.GetAddressRange(pool + G + 3, out ulong rangeBase, out ulong rangeSize).ShouldBe(MemoryStatus.Success);
        (rangeBase, rangeSize).ShouldBe((pool, 2 * G));
        memory.GetPointerInfo(pool + G, out var info).ShouldBe(MemoryStatus.Success);
        (info.Kind, info.PhysicalHandle, info.DeviceOrdinal).ShouldBe((MemoryKind.VirtualMapped, handle, 0));
        memory.Free(pool).ShouldBe(MemoryStatus.InvalidValue, "cuMemFree does not unmap VMM memory");
    }

    [Fact]
    public void Reservation_honours_a_free_aligned_hint()
    {
        using var memory = NewSystem();
        memory.ReserveAddress(4 * G, 0, 0, 0, out ulong first).ShouldBe(MemoryStatus.Success);
        ulong wanted = first + 16 * G;
        memory.ReserveAddress(2 * G, 0, wanted, 0, out ulong hinted).ShouldBe(MemoryStatus.Success);
        hinted.ShouldBe(wanted);
        memory.ReserveAddress(2 * G, 0, first, 0, out ulong elsewhere).ShouldBe(MemoryStatus.Success, "a taken hint is only a hint");
        elsewhere.ShouldNotBe(first);
        memory.ReserveAddress(4 * G, 4 * G, 0, 0, out ulong aligned).ShouldBe(MemoryStatus.Success);
        (aligned % (4 * G)).ShouldBe(0UL);
    }

    [Fact]
    public void Lookups_stay_correct_while_another_thread_allocates_and_frees()
    {
        using var memory = NewSystem();
        memory.Allocate(0, 64 * 1024, out ulong stable).ShouldBe(MemoryStatus.Success);
        using var stop = new CancellationTokenSource();
        var writer = Task.Run(() =>
        {
            var live = new Queue<ulong>();
            for (int i = 0; !stop.IsCancellationRequested && i < 200_000; i++)
            {
                if (memory.Allocate(0, (ulong)(4096 * (1 + i % 5)), out ulong a) == MemoryStatus.Success) live.Enqueue(a);
                if (live.Count > 20) memory.Free(live.Dequeue()).ShouldBe(MemoryStatus.Success);
            }
        });
        long misses = 0;
        for (int i = 0; i < 2_000_000; i++)
        {
            if (!memory.TryResolve(stable + (ulong)(i % 60_000), 64, AccessKind.ReadWrite, out var region) || region.Base != stable) misses++;
            if (memory.TryResolve(stable + 64 * 1024, 1, AccessKind.Read, out var beyond) && beyond.Base == stable) misses++;
        }
        stop.Cancel();
        writer.Wait();
        misses.ShouldBe(0);
    }
}
