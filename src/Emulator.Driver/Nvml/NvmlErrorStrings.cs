namespace Emulator.Driver.Nvml;

/// <summary>The texts <c>nvmlErrorString</c> returns, with the nvml.h enumerator names they belong to.</summary>
/// <remarks>
/// Codes 0–20, 23 and 999 carry the texts of NVIDIA's libnvidia-ml (as mirrored in NVIDIA's DCGM sources and
/// seen in nvidia-smi output, e.g. "Failed to initialize NVML: Driver/library version mismatch"). For the
/// codes added later (21, 22, 24–29) no authoritative text was available to this project: they use the
/// short description from nvml.h. Unknown codes read "Unknown Error", as the real library answers.
/// </remarks>
public static class NvmlErrorStrings
{
    private const string UnknownText = "Unknown Error";

    private static readonly Dictionary<NvmlReturn, (string Name, string Text)> Texts = new()
    {
        [NvmlReturn.Success] = ("NVML_SUCCESS", "Success"),
        [NvmlReturn.Uninitialized] = ("NVML_ERROR_UNINITIALIZED", "Uninitialized"),
        [NvmlReturn.InvalidArgument] = ("NVML_ERROR_INVALID_ARGUMENT", "Invalid Argument"),
        [NvmlReturn.NotSupported] = ("NVML_ERROR_NOT_SUPPORTED", "Not Supported"),
        [NvmlReturn.NoPermission] = ("NVML_ERROR_NO_PERMISSION", "Insufficient Permissions"),
        [NvmlReturn.AlreadyInitialized] = ("NVML_ERROR_ALREADY_INITIALIZED", "Already Initialized"),
        [NvmlReturn.NotFound] = ("NVML_ERROR_NOT_FOUND", "Not Found"),
        [NvmlReturn.InsufficientSize] = ("NVML_ERROR_INSUFFICIENT_SIZE", "Insufficient Size"),
        [NvmlReturn.InsufficientPower] = ("NVML_ERROR_INSUFFICIENT_POWER", "Insufficient External Power"),
        [NvmlReturn.DriverNotLoaded] = ("NVML_ERROR_DRIVER_NOT_LOADED", "Driver Not Loaded"),
        [NvmlReturn.Timeout] = ("NVML_ERROR_TIMEOUT", "Timeout"),
        [NvmlReturn.IrqIssue] = ("NVML_ERROR_IRQ_ISSUE", "Interrupt Request Issue"),
        [NvmlReturn.LibraryNotFound] = ("NVML_ERROR_LIBRARY_NOT_FOUND", "NVML Shared Library Not Found"),
        [NvmlReturn.FunctionNotFound] = ("NVML_ERROR_FUNCTION_NOT_FOUND", "Function Not Found"),
        [NvmlReturn.CorruptedInforom] = ("NVML_ERROR_CORRUPTED_INFOROM", "Corrupted infoROM"),
        [NvmlReturn.GpuIsLost] = ("NVML_ERROR_GPU_IS_LOST", "GPU is lost"),
        [NvmlReturn.ResetRequired] = ("NVML_ERROR_RESET_REQUIRED", "GPU requires reset"),
        [NvmlReturn.OperatingSystem] = ("NVML_ERROR_OPERATING_SYSTEM", "GPU access blocked by the operating system"),
        [NvmlReturn.LibRmVersionMismatch] = ("NVML_ERROR_LIB_RM_VERSION_MISMATCH", "Driver/library version mismatch"),
        [NvmlReturn.InUse] = ("NVML_ERROR_IN_USE", "In use by another client"),
        [NvmlReturn.Memory] = ("NVML_ERROR_MEMORY", "Insufficient Memory"),
        [NvmlReturn.NoData] = ("NVML_ERROR_NO_DATA", "No data"),
        [NvmlReturn.VgpuEccNotSupported] = ("NVML_ERROR_VGPU_ECC_NOT_SUPPORTED", "The requested vgpu operation is not available on target device, because ECC is enabled"),
        [NvmlReturn.InsufficientResources] = ("NVML_ERROR_INSUFFICIENT_RESOURCES", "Insufficient Resources"),
        [NvmlReturn.FreqNotSupported] = ("NVML_ERROR_FREQ_NOT_SUPPORTED", "The requested frequency is not supported"),
        [NvmlReturn.ArgumentVersionMismatch] = ("NVML_ERROR_ARGUMENT_VERSION_MISMATCH", "The provided version is invalid/unsupported"),
        [NvmlReturn.Deprecated] = ("NVML_ERROR_DEPRECATED", "The requested functionality has been deprecated"),
        [NvmlReturn.NotReady] = ("NVML_ERROR_NOT_READY", "The system is not ready for the request"),
        [NvmlReturn.GpuNotFound] = ("NVML_ERROR_GPU_NOT_FOUND", "The GPU was not found"),
        [NvmlReturn.InvalidState] = ("NVML_ERROR_INVALID_STATE", "The operation is invalid in the current state"),
        [NvmlReturn.Unknown] = ("NVML_ERROR_UNKNOWN", UnknownText),
    };

    // NVML has no name query; the names make each row say which nvml.h enumerator its text belongs to.
    private static readonly StatusTextTable<NvmlReturn> Table = new(Texts, unknownText: UnknownText);

    public static string Describe(NvmlReturn result) => Table.Text(result) ?? UnknownText;

    /// <summary>NUL-terminated text for the C ABI; the pointer stays valid for the life of the process.</summary>
    public static unsafe byte* DescribePointer(NvmlReturn result) => Table.TextPointer(result);
}
