namespace Emulator.Driver.Runtime;

/// <summary>
/// The texts libcudart returns from cudaGetErrorName / cudaGetErrorString, as NUL-terminated bytes
/// that live for the whole process (callers keep the <c>const char*</c> forever).
/// </summary>
/// <remarks>
/// The strings are NVIDIA's; where a runtime code shares its number with a CUresult the driver's text is
/// used, as libcudart does. Codes 10, 917 and 918 are newer than any libcudart whose strings we could
/// read, so their texts paraphrase the header documentation.
/// </remarks>
public static class RuntimeErrorText
{
    /// <summary>What libcudart answers for a value that is not a cudaError_t, for name and string alike.</summary>
    public const string Unrecognized = "unrecognized error code";

    private static readonly Dictionary<CudaError, (string Name, string Text)> Texts = new()
    {
        [CudaError.Success] = ("cudaSuccess", "no error"),
        [CudaError.InvalidValue] = ("cudaErrorInvalidValue", "invalid argument"),
        [CudaError.MemoryAllocation] = ("cudaErrorMemoryAllocation", "out of memory"),
        [CudaError.InitializationError] = ("cudaErrorInitializationError", "initialization error"),
        [CudaError.CudartUnloading] = ("cudaErrorCudartUnloading", "driver shutting down"),
        [CudaError.ProfilerDisabled] = ("cudaErrorProfilerDisabled", "profiler disabled while using external profiling tool"),
        [CudaError.ProfilerNotInitialized] = ("cudaErrorProfilerNotInitialized", "profiler not initialized: call cudaProfilerInitialize()"),
        [CudaError.ProfilerAlreadyStarted] = ("cudaErrorProfilerAlreadyStarted", "profiler already started"),
        [CudaError.ProfilerAlreadyStopped] = ("cudaErrorProfilerAlreadyStopped", "profiler already stopped"),
        [CudaError.InvalidConfiguration] = ("cudaErrorInvalidConfiguration", "invalid configuration argument"),
        [CudaError.VersionTranslation] = ("cudaErrorVersionTranslation", "an error occurred while translating between CUDA versions"),
        [CudaError.InvalidPitchValue] = ("cudaErrorInvalidPitchValue", "invalid pitch argument"),
        [CudaError.InvalidSymbol] = ("cudaErrorInvalidSymbol", "invalid device symbol"),
        [CudaError.InvalidHostPointer] = ("cudaErrorInvalidHostPointer", "invalid host pointer"),
        [CudaError.InvalidDevicePointer] = ("cudaErrorInvalidDevicePointer", "invalid device pointer"),
        [CudaError.InvalidTexture] = ("cudaErrorInvalidTexture", "invalid texture reference"),
        [CudaError.InvalidTextureBinding] = ("cudaErrorInvalidTextureBinding", "texture is not bound to a pointer"),
        [CudaError.InvalidChannelDescriptor] = ("cudaErrorInvalidChannelDescriptor", "invalid channel descriptor"),
        [CudaError.InvalidMemcpyDirection] = ("cudaErrorInvalidMemcpyDirection", "invalid copy direction for memcpy"),
        [CudaError.AddressOfConstant] = ("cudaErrorAddressOfConstant", "invalid address of constant"),
        [CudaError.TextureFetchFailed] = ("cudaErrorTextureFetchFailed", "fetch from texture failed"),
        [CudaError.TextureNotBound] = ("cudaErrorTextureNotBound", "cannot fetch from a texture that is not bound"),
        [CudaError.SynchronizationError] = ("cudaErrorSynchronizationError", "incorrect use of __syncthreads()"),
        [CudaError.InvalidFilterSetting] = ("cudaErrorInvalidFilterSetting", "linear filtering not supported for non-float type"),
        [CudaError.InvalidNormSetting] = ("cudaErrorInvalidNormSetting", "read as normalized float not supported for 32-bit non float type"),
        [CudaError.MixedDeviceExecution] = ("cudaErrorMixedDeviceExecution", "device emulation mode and device execution mode cannot be mixed"),
        [CudaError.NotYetImplemented] = ("cudaErrorNotYetImplemented", "feature not yet implemented"),
        [CudaError.MemoryValueTooLarge] = ("cudaErrorMemoryValueTooLarge", "memory size or pointer value too large to fit in 32 bit"),
        [CudaError.StubLibrary] = ("cudaErrorStubLibrary", "CUDA driver is a stub library"),
        [CudaError.InsufficientDriver] = ("cudaErrorInsufficientDriver", "CUDA driver version is insufficient for CUDA runtime version"),
        [CudaError.CallRequiresNewerDriver] = ("cudaErrorCallRequiresNewerDriver", "API call is not supported in the installed CUDA driver"),
        [CudaError.InvalidSurface] = ("cudaErrorInvalidSurface", "invalid surface reference"),
        [CudaError.DuplicateVariableName] = ("cudaErrorDuplicateVariableName", "duplicate global variable looked up by string name"),
        [CudaError.DuplicateTextureName] = ("cudaErrorDuplicateTextureName", "duplicate texture looked up by string name"),
        [CudaError.DuplicateSurfaceName] = ("cudaErrorDuplicateSurfaceName", "duplicate surface looked up by string name"),
        [CudaError.DevicesUnavailable] = ("cudaErrorDevicesUnavailable", "CUDA-capable device(s) is/are busy or unavailable"),
        [CudaError.IncompatibleDriverContext] = ("cudaErrorIncompatibleDriverContext", "incompatible driver context"),
        [CudaError.MissingConfiguration] = ("cudaErrorMissingConfiguration", "__global__ function call is not configured"),
        [CudaError.PriorLaunchFailure] = ("cudaErrorPriorLaunchFailure", "unspecified launch failure in prior launch"),
        [CudaError.LaunchMaxDepthExceeded] = ("cudaErrorLaunchMaxDepthExceeded", "launch would exceed maximum depth of nested launches"),
        [CudaError.LaunchFileScopedTex] = ("cudaErrorLaunchFileScopedTex", "launch failed because kernel uses unsupported, file-scoped textures (texture objects are supported)"),
        [CudaError.LaunchFileScopedSurf] = ("cudaErrorLaunchFileScopedSurf", "launch failed because kernel uses unsupported, file-scoped surfaces (surface objects are supported)"),
        [CudaError.SyncDepthExceeded] = ("cudaErrorSyncDepthExceeded", "cudaDeviceSynchronize failed because caller's grid depth exceeds cudaLimitDevRuntimeSyncDepth"),
        [CudaError.LaunchPendingCountExceeded] = ("cudaErrorLaunchPendingCountExceeded", "launch failed because launch would exceed cudaLimitDevRuntimePendingLaunchCount"),
        [CudaError.InvalidDeviceFunction] = ("cudaErrorInvalidDeviceFunction", "invalid device function"),
        [CudaError.NoDevice] = ("cudaErrorNoDevice", "no CUDA-capable device is detected"),
        [CudaError.InvalidDevice] = ("cudaErrorInvalidDevice", "invalid device ordinal"),
        [CudaError.DeviceNotLicensed] = ("cudaErrorDeviceNotLicensed", "device doesn't have valid Grid license"),
        [CudaError.SoftwareValidityNotEstablished] = ("cudaErrorSoftwareValidityNotEstablished", "integrity checks failed"),
        [CudaError.StartupFailure] = ("cudaErrorStartupFailure", "startup failure in cuda runtime"),
        [CudaError.InvalidKernelImage] = ("cudaErrorInvalidKernelImage", "device kernel image is invalid"),
        [CudaError.DeviceUninitialized] = ("cudaErrorDeviceUninitialized", "invalid device context"),
        [CudaError.MapBufferObjectFailed] = ("cudaErrorMapBufferObjectFailed", "mapping of buffer object failed"),
        [CudaError.UnmapBufferObjectFailed] = ("cudaErrorUnmapBufferObjectFailed", "unmapping of buffer object failed"),
        [CudaError.ArrayIsMapped] = ("cudaErrorArrayIsMapped", "array is mapped"),
        [CudaError.AlreadyMapped] = ("cudaErrorAlreadyMapped", "resource already mapped"),
        [CudaError.NoKernelImageForDevice] = ("cudaErrorNoKernelImageForDevice", "no kernel image is available for execution on the device"),
        [CudaError.AlreadyAcquired] = ("cudaErrorAlreadyAcquired", "resource already acquired"),
        [CudaError.NotMapped] = ("cudaErrorNotMapped", "resource not mapped"),
        [CudaError.NotMappedAsArray] = ("cudaErrorNotMappedAsArray", "resource not mapped as array"),
        [CudaError.NotMappedAsPointer] = ("cudaErrorNotMappedAsPointer", "resource not mapped as pointer"),
        [CudaError.ECCUncorrectable] = ("cudaErrorECCUncorrectable", "uncorrectable ECC error encountered"),
        [CudaError.UnsupportedLimit] = ("cudaErrorUnsupportedLimit", "limit is not supported on this architecture"),
        [CudaError.DeviceAlreadyInUse] = ("cudaErrorDeviceAlreadyInUse", "exclusive-thread device already in use by a different thread"),
        [CudaError.PeerAccessUnsupported] = ("cudaErrorPeerAccessUnsupported", "peer access is not supported between these two devices"),
        [CudaError.InvalidPtx] = ("cudaErrorInvalidPtx", "a PTX JIT compilation failed"),
        [CudaError.InvalidGraphicsContext] = ("cudaErrorInvalidGraphicsContext", "invalid OpenGL or DirectX context"),
        [CudaError.NvlinkUncorrectable] = ("cudaErrorNvlinkUncorrectable", "uncorrectable NVLink error detected during the execution"),
        [CudaError.JitCompilerNotFound] = ("cudaErrorJitCompilerNotFound", "PTX JIT compiler library not found"),
        [CudaError.UnsupportedPtxVersion] = ("cudaErrorUnsupportedPtxVersion", "the provided PTX was compiled with an unsupported toolchain."),
        [CudaError.JitCompilationDisabled] = ("cudaErrorJitCompilationDisabled", "PTX JIT compilation was disabled"),
        [CudaError.UnsupportedExecAffinity] = ("cudaErrorUnsupportedExecAffinity", "the provided execution affinity is not supported"),
        [CudaError.UnsupportedDevSideSync] = ("cudaErrorUnsupportedDevSideSync", "the provided PTX contains unsupported call to cudaDeviceSynchronize"),
        [CudaError.Contained] = ("cudaErrorContained", "Invalid access of peer GPU memory over nvlink or a hardware error"),
        [CudaError.InvalidSource] = ("cudaErrorInvalidSource", "device kernel image is invalid"),
        [CudaError.FileNotFound] = ("cudaErrorFileNotFound", "file not found"),
        [CudaError.SharedObjectSymbolNotFound] = ("cudaErrorSharedObjectSymbolNotFound", "shared object symbol not found"),
        [CudaError.SharedObjectInitFailed] = ("cudaErrorSharedObjectInitFailed", "shared object initialization failed"),
        [CudaError.OperatingSystem] = ("cudaErrorOperatingSystem", "OS call failed or operation not supported on this OS"),
        [CudaError.InvalidResourceHandle] = ("cudaErrorInvalidResourceHandle", "invalid resource handle"),
        [CudaError.IllegalState] = ("cudaErrorIllegalState", "the operation cannot be performed in the present state"),
        [CudaError.LossyQuery] = ("cudaErrorLossyQuery", "attempted introspection would be semantically lossy"),
        [CudaError.SymbolNotFound] = ("cudaErrorSymbolNotFound", "named symbol not found"),
        [CudaError.NotReady] = ("cudaErrorNotReady", "device not ready"),
        [CudaError.IllegalAddress] = ("cudaErrorIllegalAddress", "an illegal memory access was encountered"),
        [CudaError.LaunchOutOfResources] = ("cudaErrorLaunchOutOfResources", "too many resources requested for launch"),
        [CudaError.LaunchTimeout] = ("cudaErrorLaunchTimeout", "the launch timed out and was terminated"),
        [CudaError.LaunchIncompatibleTexturing] = ("cudaErrorLaunchIncompatibleTexturing", "launch uses incompatible texturing mode"),
        [CudaError.PeerAccessAlreadyEnabled] = ("cudaErrorPeerAccessAlreadyEnabled", "peer access is already enabled"),
        [CudaError.PeerAccessNotEnabled] = ("cudaErrorPeerAccessNotEnabled", "peer access has not been enabled"),
        [CudaError.SetOnActiveProcess] = ("cudaErrorSetOnActiveProcess", "cannot set while device is active in this process"),
        [CudaError.ContextIsDestroyed] = ("cudaErrorContextIsDestroyed", "context is destroyed"),
        [CudaError.Assert] = ("cudaErrorAssert", "device-side assert triggered"),
        [CudaError.TooManyPeers] = ("cudaErrorTooManyPeers", "peer mapping resources exhausted"),
        [CudaError.HostMemoryAlreadyRegistered] = ("cudaErrorHostMemoryAlreadyRegistered", "part or all of the requested memory range is already mapped"),
        [CudaError.HostMemoryNotRegistered] = ("cudaErrorHostMemoryNotRegistered", "pointer does not correspond to a registered memory region"),
        [CudaError.HardwareStackError] = ("cudaErrorHardwareStackError", "hardware stack error"),
        [CudaError.IllegalInstruction] = ("cudaErrorIllegalInstruction", "an illegal instruction was encountered"),
        [CudaError.MisalignedAddress] = ("cudaErrorMisalignedAddress", "misaligned address"),
        [CudaError.InvalidAddressSpace] = ("cudaErrorInvalidAddressSpace", "operation not supported on global/shared address space"),
        [CudaError.InvalidPc] = ("cudaErrorInvalidPc", "invalid program counter"),
        [CudaError.LaunchFailure] = ("cudaErrorLaunchFailure", "unspecified launch failure"),
        [CudaError.CooperativeLaunchTooLarge] = ("cudaErrorCooperativeLaunchTooLarge", "too many blocks in cooperative launch"),
        [CudaError.TensorMemoryLeak] = ("cudaErrorTensorMemoryLeak", "tensor memory not completely freed"),
        [CudaError.NotPermitted] = ("cudaErrorNotPermitted", "operation not permitted"),
        [CudaError.NotSupported] = ("cudaErrorNotSupported", "operation not supported"),
        [CudaError.SystemNotReady] = ("cudaErrorSystemNotReady", "system not yet initialized"),
        [CudaError.SystemDriverMismatch] = ("cudaErrorSystemDriverMismatch", "system has unsupported display driver / cuda driver combination"),
        [CudaError.CompatNotSupportedOnDevice] = ("cudaErrorCompatNotSupportedOnDevice", "forward compatibility was attempted on non supported HW"),
        [CudaError.MpsConnectionFailed] = ("cudaErrorMpsConnectionFailed", "MPS client failed to connect to the MPS control daemon or the MPS server"),
        [CudaError.MpsRpcFailure] = ("cudaErrorMpsRpcFailure", "the remote procedural call between the MPS server and the MPS client failed"),
        [CudaError.MpsServerNotReady] = ("cudaErrorMpsServerNotReady", "MPS server is not ready to accept new MPS client requests"),
        [CudaError.MpsMaxClientsReached] = ("cudaErrorMpsMaxClientsReached", "the hardware resources required to create MPS client have been exhausted"),
        [CudaError.MpsMaxConnectionsReached] = ("cudaErrorMpsMaxConnectionsReached", "the hardware resources required to support device connections have been exhausted"),
        [CudaError.MpsClientTerminated] = ("cudaErrorMpsClientTerminated", "the MPS client has been terminated by the server"),
        [CudaError.CdpNotSupported] = ("cudaErrorCdpNotSupported", "is using CUDA Dynamic Parallelism, but the current configuration, like MPS, does not support it"),
        [CudaError.CdpVersionMismatch] = ("cudaErrorCdpVersionMismatch", "unsupported interaction between different versions of CUDA Dynamic Parallelism"),
        [CudaError.StreamCaptureUnsupported] = ("cudaErrorStreamCaptureUnsupported", "operation not permitted when stream is capturing"),
        [CudaError.StreamCaptureInvalidated] = ("cudaErrorStreamCaptureInvalidated", "operation failed due to a previous error during capture"),
        [CudaError.StreamCaptureMerge] = ("cudaErrorStreamCaptureMerge", "operation would result in a merge of separate capture sequences"),
        [CudaError.StreamCaptureUnmatched] = ("cudaErrorStreamCaptureUnmatched", "capture was not ended in the same stream as it began"),
        [CudaError.StreamCaptureUnjoined] = ("cudaErrorStreamCaptureUnjoined", "capturing stream has unjoined work"),
        [CudaError.StreamCaptureIsolation] = ("cudaErrorStreamCaptureIsolation", "dependency created on uncaptured work in another stream"),
        [CudaError.StreamCaptureImplicit] = ("cudaErrorStreamCaptureImplicit", "operation would make the legacy stream depend on a capturing blocking stream"),
        [CudaError.CapturedEvent] = ("cudaErrorCapturedEvent", "operation not permitted on an event last recorded in a capturing stream"),
        [CudaError.StreamCaptureWrongThread] = ("cudaErrorStreamCaptureWrongThread", "attempt to terminate a thread-local capture sequence from another thread"),
        [CudaError.Timeout] = ("cudaErrorTimeout", "wait operation timed out"),
        [CudaError.GraphExecUpdateFailure] = ("cudaErrorGraphExecUpdateFailure", "the graph update was not performed because it included changes which violated constraints specific to instantiated graph update"),
        [CudaError.ExternalDevice] = ("cudaErrorExternalDevice", "an async error has occured in external entity outside of CUDA"),
        [CudaError.InvalidClusterSize] = ("cudaErrorInvalidClusterSize", "a kernel launch error has occurred due to cluster misconfiguration"),
        [CudaError.FunctionNotLoaded] = ("cudaErrorFunctionNotLoaded", "the function handle is not loaded when calling an API that requires a loaded function"),
        [CudaError.InvalidResourceType] = ("cudaErrorInvalidResourceType", "one or more resources passed in are not valid resource types for the operation"),
        [CudaError.InvalidResourceConfiguration] = ("cudaErrorInvalidResourceConfiguration", "one or more resources are insufficient or non-applicable for the operation"),
        [CudaError.StreamDetached] = ("cudaErrorStreamDetached", "the operation is not permitted because the stream is detached"),
        [CudaError.GraphRecaptureFailure] = ("cudaErrorGraphRecaptureFailure", "graph recapture failed and had to be terminated"),
        [CudaError.Unknown] = ("cudaErrorUnknown", "unknown error"),
        [CudaError.ApiFailureBase] = ("cudaErrorApiFailureBase", "api failure base"),
    };

    private static readonly StatusTextTable<CudaError> Table = new(Texts, Unrecognized, Unrecognized);

    /// <summary>Every cudaError_t value, in ascending numeric order.</summary>
    public static IReadOnlyList<CudaError> All { get; } = Table.Known;

    public static string Name(CudaError error) => Table.Name(error) ?? Unrecognized;

    public static string Text(CudaError error) => Table.Text(error) ?? Unrecognized;

    /// <summary>NUL-terminated name for the C ABI; the pointer stays valid for the life of the process.</summary>
    public static unsafe byte* NamePointer(CudaError error) => Table.NamePointer(error);

    /// <summary>NUL-terminated description for the C ABI; the pointer stays valid for the life of the process.</summary>
    public static unsafe byte* TextPointer(CudaError error) => Table.TextPointer(error);
}
