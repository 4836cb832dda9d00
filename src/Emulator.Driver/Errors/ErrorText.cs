namespace Emulator.Driver;

/// <summary>
/// The texts behind <c>cuGetErrorName</c> and <c>cuGetErrorString</c>: the C enumerator name and the short
/// description NVIDIA's libcuda returns for each <see cref="CuResult"/> (the same sentence cudart prints). A code
/// libcuda does not know has no text: the entry points then answer CUDA_ERROR_INVALID_VALUE and NULL.
/// </summary>
public static class ErrorText
{
    private static readonly Dictionary<CuResult, (string Name, string Text)> Texts = new()
    {
        [CuResult.Success] = ("CUDA_SUCCESS", "no error"),
        [CuResult.InvalidValue] = ("CUDA_ERROR_INVALID_VALUE", "invalid argument"),
        [CuResult.OutOfMemory] = ("CUDA_ERROR_OUT_OF_MEMORY", "out of memory"),
        [CuResult.NotInitialized] = ("CUDA_ERROR_NOT_INITIALIZED", "initialization error"),
        [CuResult.Deinitialized] = ("CUDA_ERROR_DEINITIALIZED", "driver shutting down"),
        [CuResult.ProfilerDisabled] = ("CUDA_ERROR_PROFILER_DISABLED", "profiler disabled while using external profiling tool"),
        [CuResult.ProfilerNotInitialized] = ("CUDA_ERROR_PROFILER_NOT_INITIALIZED", "profiler not initialized: call cudaProfilerInitialize()"),
        [CuResult.ProfilerAlreadyStarted] = ("CUDA_ERROR_PROFILER_ALREADY_STARTED", "profiler already started"),
        [CuResult.ProfilerAlreadyStopped] = ("CUDA_ERROR_PROFILER_ALREADY_STOPPED", "profiler already stopped"),
        [CuResult.StubLibrary] = ("CUDA_ERROR_STUB_LIBRARY", "CUDA driver is a stub library"),
        [CuResult.DeviceUnavailable] = ("CUDA_ERROR_DEVICE_UNAVAILABLE", "CUDA-capable device(s) is/are busy or unavailable"),
        [CuResult.NoDevice] = ("CUDA_ERROR_NO_DEVICE", "no CUDA-capable device is detected"),
        [CuResult.InvalidDevice] = ("CUDA_ERROR_INVALID_DEVICE", "invalid device ordinal"),
        [CuResult.DeviceNotLicensed] = ("CUDA_ERROR_DEVICE_NOT_LICENSED", "device doesn't have valid Grid license"),
        [CuResult.InvalidImage] = ("CUDA_ERROR_INVALID_IMAGE", "device kernel image is invalid"),
        [CuResult.InvalidContext] = ("CUDA_ERROR_INVALID_CONTEXT", "invalid device context"),
        [CuResult.ContextAlreadyCurrent] = ("CUDA_ERROR_CONTEXT_ALREADY_CURRENT", "context already current"),
        [CuResult.MapFailed] = ("CUDA_ERROR_MAP_FAILED", "mapping of buffer object failed"),
        [CuResult.UnmapFailed] = ("CUDA_ERROR_UNMAP_FAILED", "unmapping of buffer object failed"),
        [CuResult.ArrayIsMapped] = ("CUDA_ERROR_ARRAY_IS_MAPPED", "array is mapped"),
        [CuResult.AlreadyMapped] = ("CUDA_ERROR_ALREADY_MAPPED", "resource already mapped"),
        [CuResult.NoBinaryForGpu] = ("CUDA_ERROR_NO_BINARY_FOR_GPU", "no kernel image is available for execution on the device"),
        [CuResult.AlreadyAcquired] = ("CUDA_ERROR_ALREADY_ACQUIRED", "resource already acquired"),
        [CuResult.NotMapped] = ("CUDA_ERROR_NOT_MAPPED", "resource not mapped"),
        [CuResult.NotMappedAsArray] = ("CUDA_ERROR_NOT_MAPPED_AS_ARRAY", "resource not mapped as array"),
        [CuResult.NotMappedAsPointer] = ("CUDA_ERROR_NOT_MAPPED_AS_POINTER", "resource not mapped as pointer"),
        [CuResult.EccUncorrectable] = ("CUDA_ERROR_ECC_UNCORRECTABLE", "uncorrectable ECC error encountered"),
        [CuResult.UnsupportedLimit] = ("CUDA_ERROR_UNSUPPORTED_LIMIT", "limit is not supported on this architecture"),
        [CuResult.ContextAlreadyInUse] = ("CUDA_ERROR_CONTEXT_ALREADY_IN_USE", "exclusive-thread device already in use by a different thread"),
        [CuResult.PeerAccessUnsupported] = ("CUDA_ERROR_PEER_ACCESS_UNSUPPORTED", "peer access is not supported between these two devices"),
        [CuResult.InvalidPtx] = ("CUDA_ERROR_INVALID_PTX", "a PTX JIT compilation failed"),
        [CuResult.InvalidGraphicsContext] = ("CUDA_ERROR_INVALID_GRAPHICS_CONTEXT", "invalid OpenGL or DirectX context"),
        [CuResult.NvlinkUncorrectable] = ("CUDA_ERROR_NVLINK_UNCORRECTABLE", "uncorrectable NVLink error detected during the execution"),
        [CuResult.JitCompilerNotFound] = ("CUDA_ERROR_JIT_COMPILER_NOT_FOUND", "PTX JIT compiler library not found"),
        [CuResult.UnsupportedPtxVersion] = ("CUDA_ERROR_UNSUPPORTED_PTX_VERSION", "the provided PTX was compiled with an unsupported toolchain."),
        [CuResult.JitCompilationDisabled] = ("CUDA_ERROR_JIT_COMPILATION_DISABLED", "PTX JIT compilation was disabled"),
        [CuResult.UnsupportedExecAffinity] = ("CUDA_ERROR_UNSUPPORTED_EXEC_AFFINITY", "the provided execution affinity is not supported"),
        [CuResult.UnsupportedDevsideSync] = ("CUDA_ERROR_UNSUPPORTED_DEVSIDE_SYNC", "the provided PTX contains unsupported call to cudaDeviceSynchronize"),
        [CuResult.Contained] = ("CUDA_ERROR_CONTAINED", "an exception occurred on the device that is now contained by the GPU's error containment capability"),
        [CuResult.InvalidSource] = ("CUDA_ERROR_INVALID_SOURCE", "device kernel image is invalid"),
        [CuResult.FileNotFound] = ("CUDA_ERROR_FILE_NOT_FOUND", "file not found"),
        [CuResult.SharedObjectSymbolNotFound] = ("CUDA_ERROR_SHARED_OBJECT_SYMBOL_NOT_FOUND", "shared object symbol not found"),
        [CuResult.SharedObjectInitFailed] = ("CUDA_ERROR_SHARED_OBJECT_INIT_FAILED", "shared object initialization failed"),
        [CuResult.OperatingSystem] = ("CUDA_ERROR_OPERATING_SYSTEM", "OS call failed or operation not supported on this OS"),
        [CuResult.InvalidHandle] = ("CUDA_ERROR_INVALID_HANDLE", "invalid resource handle"),
        [CuResult.IllegalState] = ("CUDA_ERROR_ILLEGAL_STATE", "the operation cannot be performed in the present state"),
        [CuResult.LossyQuery] = ("CUDA_ERROR_LOSSY_QUERY", "attempted introspection would be semantically lossy"),
        [CuResult.NotFound] = ("CUDA_ERROR_NOT_FOUND", "named symbol not found"),
        [CuResult.NotReady] = ("CUDA_ERROR_NOT_READY", "device not ready"),
        [CuResult.IllegalAddress] = ("CUDA_ERROR_ILLEGAL_ADDRESS", "an illegal memory access was encountered"),
        [CuResult.LaunchOutOfResources] = ("CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES", "too many resources requested for launch"),
        [CuResult.LaunchTimeout] = ("CUDA_ERROR_LAUNCH_TIMEOUT", "the launch timed out and was terminated"),
        [CuResult.LaunchIncompatibleTexturing] = ("CUDA_ERROR_LAUNCH_INCOMPATIBLE_TEXTURING", "launch uses incompatible texturing mode"),
        [CuResult.PeerAccessAlreadyEnabled] = ("CUDA_ERROR_PEER_ACCESS_ALREADY_ENABLED", "peer access is already enabled"),
        [CuResult.PeerAccessNotEnabled] = ("CUDA_ERROR_PEER_ACCESS_NOT_ENABLED", "peer access has not been enabled"),
        [CuResult.PrimaryContextActive] = ("CUDA_ERROR_PRIMARY_CONTEXT_ACTIVE", "cannot set while device is active in this process"),
        [CuResult.ContextIsDestroyed] = ("CUDA_ERROR_CONTEXT_IS_DESTROYED", "context is destroyed"),
        [CuResult.Assert] = ("CUDA_ERROR_ASSERT", "device-side assert triggered"),
        [CuResult.TooManyPeers] = ("CUDA_ERROR_TOO_MANY_PEERS", "peer mapping resources exhausted"),
        [CuResult.HostMemoryAlreadyRegistered] = ("CUDA_ERROR_HOST_MEMORY_ALREADY_REGISTERED", "part or all of the requested memory range is already mapped"),
        [CuResult.HostMemoryNotRegistered] = ("CUDA_ERROR_HOST_MEMORY_NOT_REGISTERED", "pointer does not correspond to a registered memory region"),
        [CuResult.HardwareStackError] = ("CUDA_ERROR_HARDWARE_STACK_ERROR", "hardware stack error"),
        [CuResult.IllegalInstruction] = ("CUDA_ERROR_ILLEGAL_INSTRUCTION", "an illegal instruction was encountered"),
        [CuResult.MisalignedAddress] = ("CUDA_ERROR_MISALIGNED_ADDRESS", "misaligned address"),
        [CuResult.InvalidAddressSpace] = ("CUDA_ERROR_INVALID_ADDRESS_SPACE", "operation not supported on global/shared address space"),
        [CuResult.InvalidPc] = ("CUDA_ERROR_INVALID_PC", "invalid program counter"),
        [CuResult.LaunchFailed] = ("CUDA_ERROR_LAUNCH_FAILED", "unspecified launch failure"),
        [CuResult.CooperativeLaunchTooLarge] = ("CUDA_ERROR_COOPERATIVE_LAUNCH_TOO_LARGE", "too many blocks in cooperative launch"),
        [CuResult.TensorMemoryLeak] = ("CUDA_ERROR_TENSOR_MEMORY_LEAK", "tensor memory not completely freed"),
        [CuResult.NotPermitted] = ("CUDA_ERROR_NOT_PERMITTED", "operation not permitted"),
        [CuResult.NotSupported] = ("CUDA_ERROR_NOT_SUPPORTED", "operation not supported"),
        [CuResult.SystemNotReady] = ("CUDA_ERROR_SYSTEM_NOT_READY", "system not yet initialized"),
        [CuResult.SystemDriverMismatch] = ("CUDA_ERROR_SYSTEM_DRIVER_MISMATCH", "system has unsupported display driver / cuda driver combination"),
        [CuResult.CompatNotSupportedOnDevice] = ("CUDA_ERROR_COMPAT_NOT_SUPPORTED_ON_DEVICE", "forward compatibility was attempted on non supported HW"),
        [CuResult.MpsConnectionFailed] = ("CUDA_ERROR_MPS_CONNECTION_FAILED", "MPS client failed to connect to the MPS control daemon or the MPS server"),
        [CuResult.MpsRpcFailure] = ("CUDA_ERROR_MPS_RPC_FAILURE", "the remote procedural call between the MPS server and the MPS client failed"),
        [CuResult.MpsServerNotReady] = ("CUDA_ERROR_MPS_SERVER_NOT_READY", "MPS server is not ready to accept new MPS client requests"),
        [CuResult.MpsMaxClientsReached] = ("CUDA_ERROR_MPS_MAX_CLIENTS_REACHED", "the hardware resources required to create MPS client have been exhausted"),
        [CuResult.MpsMaxConnectionsReached] = ("CUDA_ERROR_MPS_MAX_CONNECTIONS_REACHED", "the hardware resources required to support device connections have been exhausted"),
        [CuResult.MpsClientTerminated] = ("CUDA_ERROR_MPS_CLIENT_TERMINATED", "the MPS client has been terminated by the server"),
        [CuResult.CdpNotSupported] = ("CUDA_ERROR_CDP_NOT_SUPPORTED", "is using CUDA Dynamic Parallelism, but the current configuration, like MPS, does not support it"),
        [CuResult.CdpVersionMismatch] = ("CUDA_ERROR_CDP_VERSION_MISMATCH", "unsupported interaction between different versions of CUDA Dynamic Parallelism"),
        [CuResult.StreamCaptureUnsupported] = ("CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED", "operation not permitted when stream is capturing"),
        [CuResult.StreamCaptureInvalidated] = ("CUDA_ERROR_STREAM_CAPTURE_INVALIDATED", "operation failed due to a previous error during capture"),
        [CuResult.StreamCaptureMerge] = ("CUDA_ERROR_STREAM_CAPTURE_MERGE", "operation would result in a merge of separate capture sequences"),
        [CuResult.StreamCaptureUnmatched] = ("CUDA_ERROR_STREAM_CAPTURE_UNMATCHED", "capture was not ended in the same stream as it began"),
        [CuResult.StreamCaptureUnjoined] = ("CUDA_ERROR_STREAM_CAPTURE_UNJOINED", "capturing stream has unjoined work"),
        [CuResult.StreamCaptureIsolation] = ("CUDA_ERROR_STREAM_CAPTURE_ISOLATION", "dependency created on uncaptured work in another stream"),
        [CuResult.StreamCaptureImplicit] = ("CUDA_ERROR_STREAM_CAPTURE_IMPLICIT", "operation would make the legacy stream depend on a capturing blocking stream"),
        [CuResult.CapturedEvent] = ("CUDA_ERROR_CAPTURED_EVENT", "operation not permitted on an event last recorded in a capturing stream"),
        [CuResult.StreamCaptureWrongThread] = ("CUDA_ERROR_STREAM_CAPTURE_WRONG_THREAD", "attempt to terminate a thread-local capture sequence from another thread"),
        [CuResult.Timeout] = ("CUDA_ERROR_TIMEOUT", "wait operation timed out"),
        [CuResult.GraphExecUpdateFailure] = ("CUDA_ERROR_GRAPH_EXEC_UPDATE_FAILURE", "the graph update was not performed because it included changes which violated constraints specific to instantiated graph update"),
        [CuResult.ExternalDevice] = ("CUDA_ERROR_EXTERNAL_DEVICE", "an async error has occured in external entity outside of CUDA"),
        [CuResult.InvalidClusterSize] = ("CUDA_ERROR_INVALID_CLUSTER_SIZE", "a kernel launch error has occurred due to cluster misconfiguration"),
        [CuResult.FunctionNotLoaded] = ("CUDA_ERROR_FUNCTION_NOT_LOADED", "the function handle is not loaded when calling an API that requires a loaded function"),
        [CuResult.InvalidResourceType] = ("CUDA_ERROR_INVALID_RESOURCE_TYPE", "one or more resources passed in are not valid resource types for the operation"),
        [CuResult.InvalidResourceConfiguration] = ("CUDA_ERROR_INVALID_RESOURCE_CONFIGURATION", "one or more resources are insufficient or non-applicable for the operation"),
        [CuResult.KeyRotation] = ("CUDA_ERROR_KEY_ROTATION", "an error occurred during the key rotation sequence"),
        [CuResult.Unknown] = ("CUDA_ERROR_UNKNOWN", "unknown error"),
    };

    private static readonly StatusTextTable<CuResult> Table = new(Texts);

    /// <summary>Every code the driver names, in numeric order.</summary>
    public static IReadOnlyList<CuResult> KnownCodes { get; } = Table.Known;

    /// <summary>The enumerator name (<c>CUDA_ERROR_INVALID_VALUE</c>), or null for a code the driver does not know.</summary>
    public static string? Name(CuResult code) => Table.Name(code);

    /// <summary>The description <c>cuGetErrorString</c> returns, or null for a code the driver does not know.</summary>
    public static string? Description(CuResult code) => Table.Text(code);

    /// <summary>NUL-terminated name for the C ABI (valid for the life of the process), or null for an unknown code.</summary>
    public static unsafe byte* NamePointer(CuResult code) => Table.NamePointer(code);

    /// <summary>NUL-terminated description for the C ABI (valid for the life of the process), or null for an unknown code.</summary>
    public static unsafe byte* DescriptionPointer(CuResult code) => Table.TextPointer(code);
}
