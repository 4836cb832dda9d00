namespace Emulator.Driver.Nvml;

/// <summary>The texts <c>nvmlErrorString</c> returns.</summary>
/// <remarks>
/// Codes 0–20, 23 and 999 carry the texts of NVIDIA's libnvidia-ml (as mirrored in NVIDIA's DCGM sources and
/// seen in nvidia-smi output, e.g. "Failed to initialize NVML: Driver/library version mismatch"). For the
/// codes added later (21, 22, 24–29) no authoritative text was available to this project: they use the
/// short description from nvml.h. Unknown codes read "Unknown Error", as the real library answers.
/// </remarks>
public static class NvmlErrorStrings
{
    public static string Describe(NvmlReturn result) => result switch
    {
        NvmlReturn.Success => "Success",
        NvmlReturn.Uninitialized => "Uninitialized",
        NvmlReturn.InvalidArgument => "Invalid Argument",
        NvmlReturn.NotSupported => "Not Supported",
        NvmlReturn.NoPermission => "Insufficient Permissions",
        NvmlReturn.AlreadyInitialized => "Already Initialized",
        NvmlReturn.NotFound => "Not Found",
        NvmlReturn.InsufficientSize => "Insufficient Size",
        NvmlReturn.InsufficientPower => "Insufficient External Power",
        NvmlReturn.DriverNotLoaded => "Driver Not Loaded",
        NvmlReturn.Timeout => "Timeout",
        NvmlReturn.IrqIssue => "Interrupt Request Issue",
        NvmlReturn.LibraryNotFound => "NVML Shared Library Not Found",
        NvmlReturn.FunctionNotFound => "Function Not Found",
        NvmlReturn.CorruptedInforom => "Corrupted infoROM",
        NvmlReturn.GpuIsLost => "GPU is lost",
        NvmlReturn.ResetRequired => "GPU requires reset",
        NvmlReturn.OperatingSystem => "GPU access blocked by the operating system",
        NvmlReturn.LibRmVersionMismatch => "Driver/library version mismatch",
        NvmlReturn.InUse => "In use by another client",
        NvmlReturn.Memory => "Insufficient Memory",
        NvmlReturn.NoData => "No data",
        NvmlReturn.VgpuEccNotSupported => "The requested vgpu operation is not available on target device, because ECC is enabled",
        NvmlReturn.InsufficientResources => "Insufficient Resources",
        NvmlReturn.FreqNotSupported => "The requested frequency is not supported",
        NvmlReturn.ArgumentVersionMismatch => "The provided version is invalid/unsupported",
        NvmlReturn.Deprecated => "The requested functionality has been deprecated",
        NvmlReturn.NotReady => "The system is not ready for the request",
        NvmlReturn.GpuNotFound => "The GPU was not found",
        NvmlReturn.InvalidState => "The operation is invalid in the current state",
        _ => "Unknown Error",
    };
}
