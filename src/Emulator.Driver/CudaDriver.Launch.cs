using Emulator.Driver.Launch;
using Emulator.Driver.Timing;

namespace Emulator.Driver;

public sealed partial class CudaDriver
{
    /// <summary>
    /// The launch path every kernel takes (driver and runtime): resolves the stream, validates the configuration
    /// against the device and the kernel's resources, then runs <paramref name="execute"/> in stream order and
    /// advances the virtual clock by the launch overhead plus <paramref name="modelledExecutionNanoseconds"/>.
    /// A fault the kernel returns (<c>CUDA_ERROR_ILLEGAL_ADDRESS</c>, ...) becomes sticky on the context.
    /// </summary>
    public CuResult LaunchKernel(nint streamHandle, bool perThreadDefaultStream, in LaunchConfiguration launch,
        in KernelResources kernel, long modelledExecutionNanoseconds, Func<CuResult> execute)
    {
        var result = ResolveStream(streamHandle, perThreadDefaultStream, out var stream);
        if (result != CuResult.Success) return result;
        result = LaunchValidation.Validate(stream.Context.Device, launch, kernel);
        if (result != CuResult.Success) return result;
        var cost = OperationCost.KernelLaunch(stream.Context.Device.Persona.CostModel, modelledExecutionNanoseconds);
        return Enqueue(stream, cost, execute);
    }
}
