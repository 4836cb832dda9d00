using System.Runtime.InteropServices;
using Emulator.Memory.Native;

namespace Emulator.Memory;

/// <summary>
/// One contiguous range of host virtual addresses reserved with <c>PROT_NONE</c> and <c>MAP_NORESERVE</c>:
/// it costs no memory until pages are made accessible. Device addresses handed to programs are host
/// addresses inside it, so kernels and copies dereference them directly (after the allocation-table check).
/// Disposing releases the whole range (munmap).
/// </summary>
public sealed class AddressSpace : IDisposable
{
    /// <summary>Where the process-wide space is placed so device addresses are identical on every run.</summary>
    public const ulong ProcessWideBase = 0x2000_0000_0000;

    /// <summary>Host page size: the unit of every protection change.</summary>
    public static ulong PageSize { get; } = (ulong)Libc.GetPageSize();

    private readonly object _gate = new();
    private bool _disposed;

    public ulong Base { get; }
    public ulong Size { get; }
    public ulong End => Base + Size;

    /// <summary>True when the space sits exactly at the address that was asked for.</summary>
    public bool IsAtRequestedBase { get; }

    private AddressSpace(ulong baseAddress, ulong size, bool atRequestedBase)
    {
        Base = baseAddress;
        Size = size;
        IsAtRequestedBase = atRequestedBase;
    }

    /// <summary>
    /// Reserves <paramref name="size"/> bytes. With a <paramref name="preferredBase"/> the kernel is asked for
    /// exactly that address (MAP_FIXED_NOREPLACE, never clobbering an existing mapping); if that fails the
    /// range is placed anywhere and <paramref name="log"/> gets one line saying so.
    /// </summary>
    public static AddressSpace Reserve(ulong size, ulong? preferredBase = null, Action<string>? log = null)
    {
        size = AlignUp(size, PageSize);
        if (size == 0) throw new ArgumentOutOfRangeException(nameof(size));
        const int baseFlags = Libc.MapPrivate | Libc.MapAnonymous | Libc.MapNoReserve;

        if (preferredBase is { } wanted)
        {
            nint placed = Libc.Mmap((nint)wanted, (nuint)size, Libc.ProtNone, baseFlags | Libc.MapFixedNoReplace, -1, 0);
            if (placed != Libc.MapFailed && (ulong)placed == wanted)
                return new AddressSpace(wanted, size, atRequestedBase: true);
            int error = Marshal.GetLastPInvokeError();
            // Kernels older than 4.17 ignore MAP_FIXED_NOREPLACE and treat the address as a hint.
            if (placed != Libc.MapFailed) Libc.Munmap(placed, (nuint)size);
            log?.Invoke($"cuemu: could not reserve device address space at 0x{wanted:x} (errno {error}); " +
                        "placing it anywhere, so device addresses will differ between runs");
        }

        nint anywhere = Libc.Mmap(0, (nuint)size, Libc.ProtNone, baseFlags, -1, 0);
        if (anywhere == Libc.MapFailed)
            throw new OutOfMemoryException(
                $"cuemu: cannot reserve {size} bytes of address space (errno {Marshal.GetLastPInvokeError()})");
        return new AddressSpace((ulong)anywhere, size, atRequestedBase: preferredBase is null);
    }

    public bool Contains(ulong address, ulong length) =>
        address >= Base && length <= Size && address - Base <= Size - length;

    /// <summary>Makes whole pages readable and/or writable (or inaccessible with <see cref="AccessFlags.None"/>).</summary>
    internal bool Protect(ulong address, ulong length, AccessFlags access)
    {
        RequirePageRange(address, length);
        return Libc.Mprotect((nint)address, (nuint)length, ToProtection(access)) == 0;
    }

    /// <summary>Gives pages back to the OS (they read as zero afterwards) and makes them inaccessible.</summary>
    internal bool Decommit(ulong address, ulong length)
    {
        RequirePageRange(address, length);
        bool released = Libc.Madvise((nint)address, (nuint)length, Libc.MadvDontNeed) == 0;
        return Libc.Mprotect((nint)address, (nuint)length, Libc.ProtNone) == 0 && released;
    }

    /// <summary>Maps <paramref name="length"/> bytes of a shared-memory object over a reserved range.</summary>
    internal bool MapShared(ulong address, ulong length, int fd, ulong offset)
    {
        RequirePageRange(address, length);
        nint placed = Libc.Mmap((nint)address, (nuint)length, Libc.ProtNone, Libc.MapShared | Libc.MapFixed, fd, (long)offset);
        return placed != Libc.MapFailed && (ulong)placed == address;
    }

    /// <summary>Replaces whatever is mapped over the range with fresh reserved (PROT_NONE) address space.</summary>
    internal bool ReplaceWithReservation(ulong address, ulong length)
    {
        RequirePageRange(address, length);
        nint placed = Libc.Mmap((nint)address, (nuint)length, Libc.ProtNone,
            Libc.MapPrivate | Libc.MapAnonymous | Libc.MapNoReserve | Libc.MapFixed, -1, 0);
        return placed != Libc.MapFailed && (ulong)placed == address;
    }

    private void RequirePageRange(ulong address, ulong length)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!Contains(address, length) || address % PageSize != 0 || length % PageSize != 0)
            throw new ArgumentOutOfRangeException(nameof(address), $"0x{address:x}+{length} is not a page range of this space");
    }

    internal static int ToProtection(AccessFlags access) => access switch
    {
        AccessFlags.Read => Libc.ProtRead,
        AccessFlags.ReadWrite => Libc.ProtRead | Libc.ProtWrite,
        _ => Libc.ProtNone,
    };

    internal static ulong AlignUp(ulong value, ulong alignment) => (value + alignment - 1) / alignment * alignment;

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            Libc.Munmap((nint)Base, (nuint)Size);
        }
    }
}
