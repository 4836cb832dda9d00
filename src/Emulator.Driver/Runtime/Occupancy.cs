namespace Emulator.Driver.Runtime;

/// <summary>Per-SM limits of the device (persona), as the occupancy calculator sees them.</summary>
public readonly record struct MultiprocessorLimits(
    int WarpSize,
    int MaxThreadsPerMultiprocessor,
    int MaxBlocksPerMultiprocessor,
    int RegistersPerMultiprocessor,
    int MaxRegistersPerBlock,
    int SharedMemoryPerMultiprocessor,
    int MaxSharedMemoryPerBlockOptin,
    int ReservedSharedMemoryPerBlock);

/// <summary>What a kernel consumes per thread / per block (cudaFuncAttributes).</summary>
public readonly record struct KernelResources(int RegistersPerThread, int StaticSharedBytes, int MaxThreadsPerBlock);

/// <summary>
/// cudaOccupancyMaxActiveBlocksPerMultiprocessor: the minimum of the limits imposed by warps, resident
/// blocks, registers and shared memory, with NVIDIA's allocation granularities (registers per warp in
/// units of 256, shared memory per block in units of 128 bytes, plus the per-block reservation).
/// </summary>
public static class Occupancy
{
    private const int RegisterAllocationUnit = 256;
    private const int SharedMemoryAllocationUnit = 128;

    public static CudaError MaxActiveBlocksPerMultiprocessor(
        MultiprocessorLimits sm, KernelResources kernel, int blockSize, ulong dynamicSharedBytes, out int blocks)
    {
        blocks = 0;
        if (blockSize <= 0)
            return CudaError.InvalidValue;
        var maxThreadsPerBlock = kernel.MaxThreadsPerBlock > 0 ? kernel.MaxThreadsPerBlock : sm.MaxThreadsPerMultiprocessor;
        var sharedPerBlock = (long)kernel.StaticSharedBytes + (long)dynamicSharedBytes;
        if (blockSize > maxThreadsPerBlock
            || sharedPerBlock > sm.MaxSharedMemoryPerBlockOptin
            || (long)kernel.RegistersPerThread * blockSize > sm.MaxRegistersPerBlock)
            return CudaError.Success; // the kernel cannot run with this shape: zero blocks fit, not an error

        var warpsPerBlock = (blockSize + sm.WarpSize - 1) / sm.WarpSize;
        var limit = Math.Min(sm.MaxBlocksPerMultiprocessor, sm.MaxThreadsPerMultiprocessor / sm.WarpSize / warpsPerBlock);

        if (kernel.RegistersPerThread > 0)
        {
            var registersPerWarp = RoundUp(kernel.RegistersPerThread * sm.WarpSize, RegisterAllocationUnit);
            var warpsByRegisters = sm.RegistersPerMultiprocessor / registersPerWarp;
            limit = Math.Min(limit, warpsByRegisters / warpsPerBlock);
        }

        var sharedFootprint = RoundUp(sharedPerBlock + sm.ReservedSharedMemoryPerBlock, SharedMemoryAllocationUnit);
        if (sharedFootprint > 0)
            limit = (int)Math.Min(limit, sm.SharedMemoryPerMultiprocessor / sharedFootprint);

        blocks = Math.Max(0, limit);
        return CudaError.Success;
    }

    private static int RoundUp(int value, int unit) => (value + unit - 1) / unit * unit;
    private static long RoundUp(long value, int unit) => (value + unit - 1) / unit * unit;
}
