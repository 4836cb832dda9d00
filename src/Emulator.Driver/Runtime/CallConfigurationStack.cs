namespace Emulator.Driver.Runtime;

/// <summary>The launch shape nvcc's <c>&lt;&lt;&lt;grid, block, shmem, stream&gt;&gt;&gt;</c> pushes before calling the host stub.</summary>
public readonly record struct CallConfiguration(Dim3 Grid, Dim3 Block, ulong DynamicSharedBytes, nint Stream);

/// <summary>
/// __cudaPushCallConfiguration / __cudaPopCallConfiguration: the call site pushes, the stub pops. It is a
/// stack per host thread because an argument expression may itself launch a kernel between push and pop.
/// </summary>
public sealed class CallConfigurationStack
{
    private readonly ThreadLocal<Stack<CallConfiguration>> _pending = new(static () => new Stack<CallConfiguration>());

    public void Push(CallConfiguration configuration) => _pending.Value!.Push(configuration);

    /// <summary>A stub called without a pushed configuration is cudaErrorMissingConfiguration.</summary>
    public CudaError Pop(out CallConfiguration configuration) =>
        _pending.Value!.TryPop(out configuration) ? CudaError.Success : CudaError.MissingConfiguration;
}
