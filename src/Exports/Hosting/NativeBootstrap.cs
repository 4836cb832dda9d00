using System.Runtime.InteropServices;
using Emulator.Exports.Generated;

namespace Emulator.Exports.Hosting;

/// <summary>The one managed call libcuemu.so makes after starting the runtime (src/Exports/native/cuemu_host.c).</summary>
public static unsafe class NativeBootstrap
{
    /// <summary>The folder holding the shims (<c>&lt;home&gt;/lib</c>), as the native host found it.</summary>
    public static string? LibraryDirectory { get; private set; }

    /// <summary>Binds the implementations and fills the native entry table. Returns 0 on success.</summary>
    [UnmanagedCallersOnly]
    public static int Initialize(nint* table, int count, byte* libraryDirectory)
    {
        try
        {
            if (count != ApiEntries.Count)
            {
                ExportLog.Write($"libcuemu.so has {count} entry slots but Emulator.Exports.dll has {ApiEntries.Count}: " +
                                "the native and managed builds are from different API tables; rebuild");
                return 1;
            }
            LibraryDirectory = Marshal.PtrToStringUTF8((nint)libraryDirectory);
            ApiBinding.Bind();
            ApiEntries.FillNativeTable(table);
            return 0;
        }
        catch (Exception exception)
        {
            ExportLog.Write($"bootstrap failed: {exception}");
            return 2;
        }
    }
}
