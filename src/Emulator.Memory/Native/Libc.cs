using System.Runtime.InteropServices;

namespace Emulator.Memory.Native;

/// <summary>
/// The few libc calls the address space needs. Constants are the Linux x86-64 / aarch64 values
/// (identical on both); cuemu targets Linux only.
/// </summary>
internal static unsafe partial class Libc
{
    public const int ProtNone = 0x0;
    public const int ProtRead = 0x1;
    public const int ProtWrite = 0x2;

    public const int MapShared = 0x01;
    public const int MapPrivate = 0x02;
    public const int MapFixed = 0x10;
    public const int MapAnonymous = 0x20;
    public const int MapNoReserve = 0x4000;
    public const int MapFixedNoReplace = 0x100000;

    public const int MadvDontNeed = 4;
    public const int MsAsync = 1;
    public const uint MfdCloexec = 0x1;

    public const int ENOMEM = 12;
    public const int EEXIST = 17;

    /// <summary>The value mmap returns on failure.</summary>
    public static readonly nint MapFailed = -1;

    [LibraryImport("libc", EntryPoint = "mmap", SetLastError = true)]
    public static partial nint Mmap(nint address, nuint length, int protection, int flags, int fd, long offset);

    [LibraryImport("libc", EntryPoint = "munmap", SetLastError = true)]
    public static partial int Munmap(nint address, nuint length);

    [LibraryImport("libc", EntryPoint = "mprotect", SetLastError = true)]
    public static partial int Mprotect(nint address, nuint length, int protection);

    [LibraryImport("libc", EntryPoint = "madvise", SetLastError = true)]
    public static partial int Madvise(nint address, nuint length, int advice);

    [LibraryImport("libc", EntryPoint = "msync", SetLastError = true)]
    public static partial int Msync(nint address, nuint length, int flags);

    [LibraryImport("libc", EntryPoint = "memfd_create", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int MemfdCreate(string name, uint flags);

    [LibraryImport("libc", EntryPoint = "ftruncate", SetLastError = true)]
    public static partial int Ftruncate(int fd, long length);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "getpagesize")]
    public static partial int GetPageSize();
}
