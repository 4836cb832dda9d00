using Emulator.Driver.Devices;
using Emulator.Driver.Personas;

namespace Emulator.Driver.Launch;

/// <summary>The launch configuration of <c>cuLaunchKernel</c> / <c>cudaLaunchKernel</c>.</summary>
public readonly record struct LaunchConfiguration(Dim3 Grid, Dim3 Block, uint DynamicSharedMemoryBytes);

/// <summary>
/// What a compiled kernel needs per block, as its function attributes report it. The execution engine fills this
/// in from the kernel's PTX; <see cref="MaxDynamicSharedMemoryBytes"/> is the value of
/// <c>CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES</c> (48 KiB minus the static part unless raised).
/// </summary>
public readonly record struct KernelResources(
    uint StaticSharedMemoryBytes,
    uint MaxDynamicSharedMemoryBytes,
    int RegistersPerThread,
    int MaxThreadsPerBlock);

/// <summary>Checks a launch against the device's limits the way NVIDIA's driver refuses it.</summary>
public static class LaunchValidation
{
    /// <summary>
    /// <c>CUDA_ERROR_INVALID_VALUE</c> for an empty or oversized grid or block, or more shared memory than the
    /// kernel may use; <c>CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES</c> when the block needs more registers than an SM
    /// offers a block.
    /// </summary>
    public static CuResult Validate(Device device, in LaunchConfiguration launch, in KernelResources kernel)
    {
        var (grid, block) = (launch.Grid, launch.Block);
        if (grid.X == 0 || grid.Y == 0 || grid.Z == 0 || block.X == 0 || block.Y == 0 || block.Z == 0) return CuResult.InvalidValue;
        if (grid.X > (uint)device.GetAttribute(DeviceAttribute.MaxGridDimX) ||
            grid.Y > (uint)device.GetAttribute(DeviceAttribute.MaxGridDimY) ||
            grid.Z > (uint)device.GetAttribute(DeviceAttribute.MaxGridDimZ))
            return CuResult.InvalidValue;
        if (block.X > (uint)device.GetAttribute(DeviceAttribute.MaxBlockDimX) ||
            block.Y > (uint)device.GetAttribute(DeviceAttribute.MaxBlockDimY) ||
            block.Z > (uint)device.GetAttribute(DeviceAttribute.MaxBlockDimZ))
            return CuResult.InvalidValue;
        var threads = block.Volume;
        if (threads > (ulong)Math.Min(kernel.MaxThreadsPerBlock, device.GetAttribute(DeviceAttribute.MaxThreadsPerBlock)))
            return CuResult.InvalidValue;
        var optIn = (ulong)device.GetAttribute(DeviceAttribute.MaxSharedMemoryPerBlockOptin);
        if (launch.DynamicSharedMemoryBytes > kernel.MaxDynamicSharedMemoryBytes ||
            (ulong)kernel.StaticSharedMemoryBytes + launch.DynamicSharedMemoryBytes > optIn)
            return CuResult.InvalidValue;
        if ((ulong)kernel.RegistersPerThread * threads > (ulong)device.GetAttribute(DeviceAttribute.MaxRegistersPerBlock))
            return CuResult.LaunchOutOfResources;
        return CuResult.Success;
    }
}
