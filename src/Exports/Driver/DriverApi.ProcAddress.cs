using System.Runtime.InteropServices;
using Emulator.Driver;
using Emulator.Exports.Generated;
using Emulator.Exports.Hosting;

namespace Emulator.Exports;

/// <summary>cuGetProcAddress: hands out our own exports by name, CUDA version and stream semantics.</summary>
public static unsafe partial class DriverApi
{
    public static CuResult cuGetProcAddress(byte* symbol, void** pfn, int cudaVersion, ulong flags) =>
        cuGetProcAddress_v2(symbol, pfn, cudaVersion, flags, null);

    public static CuResult cuGetProcAddress_v2(byte* symbol, void** pfn, int cudaVersion, ulong flags, int* symbolStatus)
    {
        if (symbol == null || pfn == null || flags > ProcAddressResolver.PerThreadDefaultStream) return CuResult.InvalidValue;
        *pfn = null;
        var lookup = ProcAddressResolver.Resolve(ApiEntries.Proc, Marshal.PtrToStringUTF8((nint)symbol)!, cudaVersion, flags);
        nint address = lookup.ExportName is null ? 0 : ExportedAddress(lookup.ExportName);
        var status = lookup.Status;
        if (lookup.ExportName is not null && address == 0) status = ProcAddressStatus.SymbolNotFound;
        if (symbolStatus != null) *symbolStatus = (int)status;
        if (status != ProcAddressStatus.Success) return CuResult.NotFound;
        *pfn = (void*)address;
        return CuResult.Success;
    }

    /// <summary>
    /// NVIDIA's private export tables are what its own libcudart needs from a driver; cuemu replaces libcudart
    /// instead of serving them (docs/ARCHITECTURE.md), so no table is given out.
    /// </summary>
    public static CuResult cuGetExportTable(void** ppExportTable, void* pExportTableId)
    {
        if (ppExportTable != null) *ppExportTable = null;
        return CuResult.NotSupported;
    }

    /// <summary>The address of our libcuda.so.1's export: the shim loaded in this process, opened again by path.</summary>
    private static nint ExportedAddress(string exportName)
    {
        var directory = NativeBootstrap.LibraryDirectory;
        if (directory is null
            || !NativeLibrary.TryLoad(Path.Combine(directory, "libcuda.so.1"), out var library)) return 0;
        return NativeLibrary.TryGetExport(library, exportName, out var address) ? address : 0;
    }
}

/// <summary>CUdriverProcAddressQueryResult.</summary>
public enum ProcAddressStatus
{
    Success = 0,
    SymbolNotFound = 1,
    VersionNotSufficient = 2,
}

/// <summary>
/// The lookup behind cuGetProcAddress, as NVIDIA's runtime uses it: a base name ("cuMemAlloc") and the CUDA version
/// the caller was built for select the newest ABI variant introduced at or before that version
/// (cuDeviceTotalMem at 3020 → cuDeviceTotalMem_v2); the per-thread-default-stream flag selects the
/// <c>_ptsz</c>/<c>_ptds</c> export where one exists.
/// </summary>
public static class ProcAddressResolver
{
    public const ulong Default = 0, LegacyStream = 1, PerThreadDefaultStream = 2;

    public readonly record struct Lookup(ProcAddressStatus Status, string? ExportName);

    public static Lookup Resolve(IReadOnlyList<ProcEntry> table, string symbol, int cudaVersion, ulong flags)
    {
        ProcEntry? best = null;
        bool known = false;
        foreach (var entry in table)
        {
            if (entry.Base != symbol) continue;
            known = true;
            if (entry.Since <= cudaVersion && (best is null || entry.Since > best.Since)) best = entry;
        }
        if (best is null) return new Lookup(known ? ProcAddressStatus.VersionNotSufficient : ProcAddressStatus.SymbolNotFound, null);
        var name = flags == PerThreadDefaultStream && best.PerThreadExportName is not null ? best.PerThreadExportName : best.ExportName;
        return new Lookup(ProcAddressStatus.Success, name);
    }
}
