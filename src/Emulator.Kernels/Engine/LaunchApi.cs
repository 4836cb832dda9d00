namespace Emulator.Kernels.Engine;

/// <summary>A 3-component launch extent (grid in blocks or block in threads).</summary>
public readonly record struct LaunchExtent(uint X, uint Y = 1, uint Z = 1)
{
    public ulong Count => (ulong)X * Y * Z;
    public override string ToString() => $"({X},{Y},{Z})";
}

/// <summary>
/// Global memory as the driver exposes it to kernels. Every kernel access to a global or generic address
/// outside the shared/local windows is translated here first; the engine never dereferences an address the
/// driver did not vouch for.
/// </summary>
public interface IGlobalMemory
{
    /// <summary>
    /// True when [address, address + size) lies inside one accessible allocation (writable when
    /// <paramref name="isWrite"/>); <paramref name="host"/> is then the host address of its first byte.
    /// </summary>
    bool TryTranslate(ulong address, ulong size, bool isWrite, out nint host);

    /// <summary>
    /// The whole accessible range [start, start + length) that contains <paramref name="address"/> (writable when
    /// <paramref name="isWrite"/>), whose bytes live at the same host addresses, so the compiled tier can check later
    /// accesses against it without asking again during this launch. False when the implementation cannot say
    /// (every access is then translated one by one).
    /// </summary>
    bool TryGetRegion(ulong address, bool isWrite, out ulong start, out ulong length)
    {
        start = 0;
        length = 0;
        return false;
    }
}

/// <summary>What the launcher provides to a launch.</summary>
public sealed class LaunchServices
{
    public required IGlobalMemory GlobalMemory { get; init; }

    /// <summary>Device address of a module-scope .global variable by name (null when unknown).</summary>
    public Func<string, ulong?> ResolveGlobal { get; init; } = _ => null;

    /// <summary>Receives device printf output (one call per vprintf, already formatted).</summary>
    public Action<string> PrintfSink { get; init; } = _ => { };

    /// <summary>Stop the launch with LaunchTimeout after this many thread-instructions (0 = no limit).</summary>
    public long InstructionBudget { get; init; }

    /// <summary>The tier that runs the launch; null: <see cref="EngineSelection.DefaultTier"/> (CUEMU_ENGINE).</summary>
    public EngineTier? Tier { get; init; }

    /// <summary>Threads that run the launch's blocks; 0: <see cref="EngineSelection.DefaultWorkers"/> (CUEMU_ENGINE_WORKERS).</summary>
    public int Workers { get; init; }
}

public enum LaunchStatus
{
    Success,
    /// <summary>Out-of-bounds or unmapped access (CUDA_ERROR_ILLEGAL_ADDRESS).</summary>
    IllegalAddress,
    /// <summary>Access not aligned to its size (CUDA_ERROR_MISALIGNED_ADDRESS).</summary>
    MisalignedAddress,
    /// <summary>trap, or a failure without a more specific code (CUDA_ERROR_LAUNCH_FAILED).</summary>
    LaunchFailed,
    /// <summary>An instruction form the engine does not implement (CUDA_ERROR_ILLEGAL_INSTRUCTION).</summary>
    IllegalInstruction,
    /// <summary>The configured instruction budget ran out (CUDA_ERROR_LAUNCH_TIMEOUT).</summary>
    LaunchTimeout,
    /// <summary>Launch configuration the kernel cannot run with (CUDA_ERROR_INVALID_VALUE).</summary>
    InvalidConfiguration,
}

/// <summary>The outcome of one launch: status, where a fault happened, and the work done.</summary>
public sealed record LaunchResult(
    LaunchStatus Status,
    long ThreadInstructions,
    string KernelName,
    LaunchExtent? FaultBlock = null,
    LaunchExtent? FaultThread = null,
    int FaultLine = 0,
    string Message = "")
{
    public bool Succeeded => Status == LaunchStatus.Success;

    public override string ToString() => Succeeded
        ? $"{KernelName}: ok, {ThreadInstructions} thread-instructions"
        : $"{KernelName}: {Status} at block {FaultBlock} thread {FaultThread} PTX line {FaultLine}: {Message}";
}

/// <summary>Raised inside the engine to unwind a faulting launch; never leaves <see cref="PtxEngine"/>.</summary>
sealed class KernelFault(LaunchStatus status, string message) : Exception(message)
{
    public LaunchStatus Status { get; } = status;
}
