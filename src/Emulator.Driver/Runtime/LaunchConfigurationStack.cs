namespace Emulator.Driver.Runtime;

/// <summary>The launch shape nvcc's <c>&lt;&lt;&lt;grid, block, shmem, stream&gt;&gt;&gt;</c> pushes before calling the host stub.</summary>
public readonly record struct LaunchConfiguration(Dim3 Grid, Dim3 Block, ulong DynamicSharedBytes, nint Stream);

/// <summary>
/// __cudaPushCallConfiguration / __cudaPopCallConfiguration: the call site pushes, the stub pops. It is a
/// stack per host thread because an argument expression may itself launch a kernel between push and pop.
/// </summary>
public sealed class LaunchConfigurationStack
{
    private readonly ThreadLocal<Stack<LaunchConfiguration>> _pending = new(static () => new Stack<LaunchConfiguration>());

    public void Push(LaunchConfiguration configuration) => _pending.Value!.Push(configuration);

    /// <summary>A stub called without a pushed configuration is cudaErrorMissingConfiguration.</summary>
    public CudaError Pop(out LaunchConfiguration configuration) =>
        _pending.Value!.TryPop(out configuration) ? CudaError.Success : CudaError.MissingConfiguration;
}
