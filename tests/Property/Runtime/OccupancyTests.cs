using Emulator.Driver;
using Emulator.Driver.Runtime;

namespace Emulator.Tests.Property.Runtime;

/// <summary>Occupancy against hand-computed values (NVIDIA's occupancy calculator rules) for an H100-like SM.</summary>
public sealed class OccupancyTests
{
    // H100 SXM: 2048 threads, 32 blocks, 64 Ki registers per SM; 228 KiB shared per SM, 227 KiB opt-in per block, 1 KiB reserved per block.
    private static readonly MultiprocessorLimits Hopper = new(32, 2048, 32, 65536, 65536, 233472, 232448, 1024);

    [Theory]
    // threads 256 → 8 warps; 64 warps / 8 = 8; regs 32·32 = 1024 per warp → 64 warps → 8; smem (0 + 1 KiB) → 228: min 8
    [InlineData(256, 32, 0, 0, 8)]
    // regs 64 → 2048 per warp → 32 warps → 4 blocks of 8 warps
    [InlineData(256, 64, 0, 0, 4)]
    // 48 KiB dynamic + 1 KiB reserved = 50176 B → 233472 / 50176 = 4
    [InlineData(256, 32, 0, 49152, 4)]
    // 32-thread blocks: the 32-blocks-per-SM limit binds before warps (64)
    [InlineData(32, 16, 0, 0, 32)]
    // 255 registers → 8160, rounded to 8192 per warp → 8 warps → one 256-thread block
    [InlineData(256, 255, 0, 0, 1)]
    // 1024 threads (32 warps): 2 blocks by threads
    [InlineData(1024, 0, 0, 0, 2)]
    // static 100 000 + dynamic 100 000 B → 200 000 + 1024 → one block
    [InlineData(128, 0, 100_000, 100_000, 1)]
    public void MatchesHandComputedLimits(int blockSize, int registers, int staticShared, int dynamicShared, int expected)
    {
        Occupancy.MaxActiveBlocksPerMultiprocessor(Hopper, new KernelResources(registers, staticShared, 1024),
            blockSize, (ulong)dynamicShared, out var blocks).ShouldBe(CudaError.Success);
        blocks.ShouldBe(expected);
    }

    [Fact]
    public void ShapesThatCannotRunGiveZeroBlocksAndBadSizesAnError()
    {
        var kernel = new KernelResources(32, 0, 512);
        Occupancy.MaxActiveBlocksPerMultiprocessor(Hopper, kernel, 1024, 0, out var tooBig).ShouldBe(CudaError.Success);
        tooBig.ShouldBe(0);
        Occupancy.MaxActiveBlocksPerMultiprocessor(Hopper, kernel, 256, 300_000, out var tooMuchShared).ShouldBe(CudaError.Success);
        tooMuchShared.ShouldBe(0);
        Occupancy.MaxActiveBlocksPerMultiprocessor(Hopper, kernel, 0, 0, out _).ShouldBe(CudaError.InvalidValue);
    }
}
