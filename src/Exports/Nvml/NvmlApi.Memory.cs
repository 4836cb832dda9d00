using Emulator.Driver;
using Emulator.Driver.Devices;
using Emulator.Driver.Nvml;

namespace Emulator.Exports;

/// <summary>
/// Memory and processes, live from the machine-wide ledger: used = what every live process's driver has
/// allocated on the device, free = total − used, the numbers <c>cudaMemGetInfo</c> gives in any process.
/// </summary>
public static unsafe partial class NvmlApi
{
    /// <summary><c>nvmlMemory_v2</c>: NVML_STRUCT_VERSION(Memory, 2) = sizeof(nvmlMemory_v2_t) | 2 &lt;&lt; 24.</summary>
    private const uint MemoryV2Version = 40 | (2u << 24);

    /// <summary>nvml.h's <c>NVML_VALUE_NOT_AVAILABLE</c> (as unsigned int): no MIG instance.</summary>
    private const uint NoInstance = 0xFFFF_FFFF;

    public static NvmlReturn nvmlDeviceGetMemoryInfo(nint device, void* memory)
    {
        var result = ReadMemory(device, memory, out var total, out var used);
        if (result != NvmlReturn.Success) return result;
        var fields = (ulong*)memory;
        fields[0] = total;
        fields[1] = total - used;
        fields[2] = used;
        return NvmlReturn.Success;
    }

    /// <summary>
    /// The v2 layout adds <c>version</c> (which must be <c>nvmlMemory_v2</c>) and <c>reserved</c>: an emulated device
    /// keeps no memory back for the driver, so reserved is 0 and free + used = total, as in the v1 answer.
    /// </summary>
    public static NvmlReturn nvmlDeviceGetMemoryInfo_v2(nint device, void* memory)
    {
        var result = ReadMemory(device, memory, out var total, out var used);
        if (result != NvmlReturn.Success) return result;
        if (*(uint*)memory != MemoryV2Version) return NvmlReturn.ArgumentVersionMismatch;
        var fields = (ulong*)((byte*)memory + 8);
        fields[0] = total;
        fields[1] = 0;
        fields[2] = total - used;
        fields[3] = used;
        return NvmlReturn.Success;
    }

    private static NvmlReturn ReadMemory(nint device, void* memory, out ulong total, out ulong used)
    {
        total = used = 0;
        var result = Resolve(device, out var resolved);
        if (result != NvmlReturn.Success) return result;
        if (memory == null) return NvmlReturn.InvalidArgument;
        result = LedgerProcesses(resolved, out var processes);
        if (result != NvmlReturn.Success) return result;
        total = (ulong)resolved.TotalMemoryBytes;
        foreach (var process in processes) used += process.UsedBytes;
        used = Math.Min(used, total);
        return NvmlReturn.Success;
    }

    /// <summary>The original layout, <c>nvmlProcessInfo_v1_t</c>: pid and used bytes (16 bytes).</summary>
    public static NvmlReturn nvmlDeviceGetComputeRunningProcesses(nint device, uint* infoCount, void* infos) =>
        ListProcesses(device, infoCount, infos, withInstances: false);

    /// <summary><c>nvmlProcessInfo_t</c> (v2): pid, used bytes, GPU and compute instance (24 bytes).</summary>
    public static NvmlReturn nvmlDeviceGetComputeRunningProcesses_v2(nint device, uint* infoCount, void* infos) =>
        ListProcesses(device, infoCount, infos, withInstances: true);

    public static NvmlReturn nvmlDeviceGetComputeRunningProcesses_v3(nint device, uint* infoCount, void* infos) =>
        ListProcesses(device, infoCount, infos, withInstances: true);

    /// <summary>
    /// NVML's size negotiation: <c>*infoCount</c> is the capacity of <paramref name="infos"/>; when the processes do
    /// not fit it becomes their number and the answer is INSUFFICIENT_SIZE (nothing written). On success it is the
    /// number written. The processes are those with memory on the device in the ledger, ordered by pid; MIG is
    /// not modelled, so the instance ids read "not available".
    /// </summary>
    private static NvmlReturn ListProcesses(nint device, uint* infoCount, void* infos, bool withInstances)
    {
        var result = Resolve(device, out var resolved);
        if (result != NvmlReturn.Success) return result;
        if (infoCount == null) return NvmlReturn.InvalidArgument;
        result = LedgerProcesses(resolved, out var processes);
        if (result != NvmlReturn.Success) return result;
        var count = (uint)processes.Count;
        if (*infoCount < count)
        {
            *infoCount = count;
            return NvmlReturn.InsufficientSize;
        }
        if (count > 0 && infos == null) return NvmlReturn.InvalidArgument;
        var record = (byte*)infos;
        foreach (var process in processes)
        {
            *(uint*)record = (uint)process.Pid;
            *(uint*)(record + 4) = 0;
            *(ulong*)(record + 8) = process.UsedBytes;
            if (withInstances)
            {
                *(uint*)(record + 16) = NoInstance;
                *(uint*)(record + 20) = NoInstance;
            }
            record += withInstances ? 24 : 16;
        }
        *infoCount = count;
        return NvmlReturn.Success;
    }

    /// <summary>The ledger's live processes on the device; an unreadable ledger is logged and answered UNKNOWN.</summary>
    private static NvmlReturn LedgerProcesses(Device device, out IReadOnlyList<LedgerProcess> processes)
    {
        processes = [];
        var result = Initialized(out var system);
        if (result != NvmlReturn.Success) return result;
        if (system.Ledger is null) return NvmlReturn.Success;
        try
        {
            processes = system.Ledger.Processes(device);
            return NvmlReturn.Success;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Hosting.ExportLog.WriteOnce("nvml-ledger", $"cuemu: NVML cannot read the device-memory ledger: {e.Message}");
            return NvmlReturn.Unknown;
        }
    }
}
