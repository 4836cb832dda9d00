namespace Emulator.Memory;

/// <summary>
/// Outcome of every memory operation. Emulator.Memory does not know the driver's result type; each member
/// names the CUDA driver error the driver maps it to. Failed operations leave all state unchanged.
/// </summary>
public enum MemoryStatus
{
    Success = 0,
    /// <summary>Bad argument: NULL, zero or misaligned size, range outside an allocation, unknown pointer or handle (CUDA_ERROR_INVALID_VALUE).</summary>
    InvalidValue,
    /// <summary>The device's capacity (the persona's memory) would be exceeded (CUDA_ERROR_OUT_OF_MEMORY).</summary>
    OutOfMemory,
    /// <summary>Device ordinal outside the configured devices (CUDA_ERROR_INVALID_DEVICE).</summary>
    InvalidDevice,
    /// <summary>The host range overlaps memory already registered or page-locked (CUDA_ERROR_HOST_MEMORY_ALREADY_REGISTERED).</summary>
    HostMemoryAlreadyRegistered,
    /// <summary>The pointer is not the start of a host registration (CUDA_ERROR_HOST_MEMORY_NOT_REGISTERED).</summary>
    HostMemoryNotRegistered,
    /// <summary>A device access outside any accessible allocation (CUDA_ERROR_ILLEGAL_ADDRESS); kernels report this.</summary>
    IllegalAddress,
    /// <summary>A request this emulator does not implement, e.g. CUDA arrays as copy operands (CUDA_ERROR_NOT_SUPPORTED).</summary>
    NotSupported,
    /// <summary>The operating system refused a mapping or protection change (CUDA_ERROR_OUT_OF_MEMORY).</summary>
    HostMappingFailed,
}
