using Emulator.Driver.Modules;
using Emulator.Driver.Personas;
using Emulator.Driver.Runtime;
using Emulator.Driver.Streams;
using Emulator.Driver.Timing;
using Emulator.Kernels.Engine;
using Emulator.Memory;

namespace Emulator.Driver;

/// <summary>
/// Kernel launch: <c>cuLaunchKernel(Ex)</c>, <c>cuLaunchCooperativeKernel</c> and the occupancy calculator. A launch
/// is checked against the persona's limits and the function's attributes, its parameters are packed as the PTX
/// declares them, and it runs on the reference engine at the moment it is enqueued (eager, in-order streams).
/// </summary>
public sealed partial class CudaDriver
{
    /// <summary><c>CU_LAUNCH_PARAM_*</c> keys of the <c>extra</c> array.</summary>
    private const nint LaunchParamEnd = 0x00, LaunchParamBufferPointer = 0x01, LaunchParamBufferSize = 0x02;

    /// <summary>
    /// Packs the arguments of <c>cuLaunchKernel</c>: either <paramref name="kernelParams"/> (one pointer per PTX
    /// parameter) or <paramref name="extra"/> (a ready parameter buffer), never both.
    /// </summary>
    public unsafe CuResult PackParameters(Function function, void** kernelParams, void** extra, out byte[] buffer)
    {
        var ir = function.Ir;
        buffer = new byte[ir.ParameterBufferSize];
        if (kernelParams != null && extra != null) return CuResult.InvalidValue;
        if (kernelParams != null)
        {
            for (var i = 0; i < ir.Parameters.Count; i++)
            {
                var parameter = ir.Parameters[i];
                var argument = kernelParams[i];
                if (argument == null) return CuResult.InvalidValue;
                new ReadOnlySpan<byte>(argument, (int)parameter.Size).CopyTo(buffer.AsSpan((int)parameter.Offset));
            }
            return CuResult.Success;
        }
        if (extra != null)
        {
            void* source = null;
            ulong size = 0;
            var sizeGiven = false;
            for (var i = 0; ; i += 2)
            {
                var key = (nint)extra[i];
                if (key == LaunchParamEnd) break;
                if (key == LaunchParamBufferPointer) source = extra[i + 1];
                else if (key == LaunchParamBufferSize)
                {
                    if (extra[i + 1] == null) return CuResult.InvalidValue;
                    size = *(ulong*)extra[i + 1];
                    sizeGiven = true;
                }
                else return CuResult.InvalidValue;
            }
            if (source == null || !sizeGiven || size < (ulong)buffer.Length) return CuResult.InvalidValue;
            new ReadOnlySpan<byte>(source, buffer.Length).CopyTo(buffer);
            return CuResult.Success;
        }
        return ir.Parameters.Count == 0 ? CuResult.Success : CuResult.InvalidValue;
    }

    /// <summary>Launch options beyond the classic arguments (<c>cuLaunchKernelEx</c> attributes, cooperative launches).</summary>
    public readonly record struct LaunchOptions(bool Cooperative = false, Dim3? ClusterDimension = null);

    /// <summary>
    /// Launches a function (or a <c>CUkernel</c>) on a stream with a packed parameter buffer. Returns the launch's
    /// error (faults also become the context's sticky error); configuration errors leave the context usable.
    /// </summary>
    public CuResult LaunchKernel(nint functionHandle, Dim3 grid, Dim3 block, uint dynamicSharedBytes, nint streamHandle,
        bool perThreadDefaultStream, ReadOnlySpan<byte> parameters, LaunchOptions options = default)
    {
        var result = GetFunction(functionHandle, out var function);
        if (result != CuResult.Success) return result;
        result = ResolveStream(streamHandle, perThreadDefaultStream, out var stream);
        if (result != CuResult.Success) return result;
        return Launch(function, grid, block, dynamicSharedBytes, stream, parameters, options);
    }

    /// <summary>The launch itself, for callers that already resolved function and stream (the runtime API).</summary>
    public CuResult Launch(Function function, Dim3 grid, Dim3 block, uint dynamicSharedBytes, Stream stream,
        ReadOnlySpan<byte> parameters, LaunchOptions options = default)
    {
        var context = function.Module.Context;
        if (stream.Context != context) return CuResult.InvalidContext;
        if (context.StickyError != CuResult.Success) return context.StickyError;
        if (parameters.Length < function.Ir.ParameterBufferSize) return CuResult.InvalidValue;
        var persona = context.Device.Persona;
        var shape = CheckShape(function, persona, grid, block, dynamicSharedBytes);
        if (shape != CuResult.Success) return shape;
        if (options.ClusterDimension is { } cluster && cluster.Volume > 1)
        {
            Log($"cuemu: {function.Name}: thread-block clusters ({cluster}) are not emulated");
            return CuResult.NotSupported;
        }
        if (options.Cooperative)
        {
            var cooperative = CheckCooperativeGrid(function, persona, grid, block, dynamicSharedBytes);
            if (cooperative != CuResult.Success) return cooperative;
        }

        Kernels.Engine.Program.ExecutableKernel executable;
        try
        {
            executable = function.Executable;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Log($"cuemu: {function.Name}: cannot prepare the kernel for execution: {e.Message}");
            return CuResult.InvalidPtx;
        }

        var services = new LaunchServices
        {
            GlobalMemory = new DeviceMemoryView(_memory!, context.Device.Ordinal),
            ResolveGlobal = function.Module.ResolveVariable,
            PrintfSink = _options?.DevicePrintf ?? WriteDevicePrintf,
        };
        var packed = parameters.ToArray();
        return stream.Run(() =>
        {
            long profileStart = LaunchProfile.Start();
            var outcome = PtxEngine.Launch(executable, new LaunchExtent(grid.X, grid.Y, grid.Z),
                new LaunchExtent(block.X, block.Y, block.Z), (int)dynamicSharedBytes, packed, services);
            LaunchProfile.Stop(profileStart, executable.Name, outcome.ThreadInstructions);
            var status = ToResult(outcome.Status);
            if (status != CuResult.Success)
                Log($"cuemu: kernel fault: {outcome}; launch <<<{grid}, {block}, {dynamicSharedBytes}>>> with {DescribeParameters(function.Ir, packed)}");
            else if (_options?.LogLaunches == true) Log($"launch grid {grid} block {block}: {outcome}");
            return (status, OperationCost.KernelLaunch(persona.CostModel, ModelledKernelNanoseconds(persona, outcome.ThreadInstructions)));
        });
    }

    /// <summary>
    /// The packed arguments as the PTX declares them (<c>name=0x…</c>, little-endian, by each parameter's size), so a
    /// fault report shows which pointer or index a kernel was given.
    /// </summary>
    internal static string DescribeParameters(Kernels.Ir.IrFunction ir, byte[] packed)
    {
        var text = new System.Text.StringBuilder();
        foreach (var parameter in ir.Parameters)
        {
            if (text.Length > 0) text.Append(", ");
            var shortName = parameter.Name[(parameter.Name.LastIndexOf("_param_", StringComparison.Ordinal) is var cut and >= 0 ? cut + 1 : 0)..];
            text.Append(shortName).Append("=0x");
            for (var i = (int)parameter.Size - 1; i >= 0; i--)
            {
                var at = (int)parameter.Offset + i;
                text.Append(at < packed.Length ? packed[at].ToString("x2", System.Globalization.CultureInfo.InvariantCulture) : "??");
            }
        }
        return text.ToString();
    }

    private static void WriteDevicePrintf(string text)
    {
        Console.Out.Write(text);
        Console.Out.Flush();
    }

    /// <summary>
    /// Virtual execution time of a kernel: its thread-instructions spread over every SM's 128 lanes at the
    /// persona's clock. A model, not a measurement — it only has to be deterministic and plausible.
    /// </summary>
    private static long ModelledKernelNanoseconds(Persona persona, long threadInstructions)
    {
        var lanesPerCycle = (decimal)persona[DeviceAttribute.MultiprocessorCount] * 128;
        var cyclesPerNanosecond = persona[DeviceAttribute.ClockRate] / 1_000_000m; // ClockRate is in kHz
        return (long)decimal.Ceiling(threadInstructions / lanesPerCycle / cyclesPerNanosecond);
    }

    public static CuResult ToResult(LaunchStatus status) => status switch
    {
        LaunchStatus.Success => CuResult.Success,
        LaunchStatus.IllegalAddress => CuResult.IllegalAddress,
        LaunchStatus.MisalignedAddress => CuResult.MisalignedAddress,
        LaunchStatus.LaunchFailed => CuResult.LaunchFailed,
        LaunchStatus.IllegalInstruction => CuResult.IllegalInstruction,
        LaunchStatus.LaunchTimeout => CuResult.LaunchTimeout,
        LaunchStatus.InvalidConfiguration => CuResult.InvalidValue,
        _ => CuResult.Unknown,
    };

    /// <summary>Grid, block and shared-memory limits of the device and the function (CUDA_ERROR_INVALID_VALUE when exceeded).</summary>
    private static CuResult CheckShape(Function function, Persona persona, Dim3 grid, Dim3 block, uint dynamicSharedBytes)
    {
        if (grid.X == 0 || grid.Y == 0 || grid.Z == 0 || block.X == 0 || block.Y == 0 || block.Z == 0) return CuResult.InvalidValue;
        if (block.X > (uint)persona[DeviceAttribute.MaxBlockDimX] || block.Y > (uint)persona[DeviceAttribute.MaxBlockDimY]
            || block.Z > (uint)persona[DeviceAttribute.MaxBlockDimZ]
            || grid.X > (uint)persona[DeviceAttribute.MaxGridDimX] || grid.Y > (uint)persona[DeviceAttribute.MaxGridDimY]
            || grid.Z > (uint)persona[DeviceAttribute.MaxGridDimZ])
            return CuResult.InvalidValue;
        if (block.Volume > (ulong)MaxThreadsFor(function, persona)) return CuResult.InvalidValue;
        if (dynamicSharedBytes > (uint)function.MaxDynamicSharedBytes) return CuResult.InvalidValue;
        var shared = function.Ir.StaticSharedSize + dynamicSharedBytes;
        var limit = dynamicSharedBytes > Function.DefaultDynamicSharedLimit || function.MaxDynamicSharedBytes > Function.DefaultDynamicSharedLimit
            ? persona[DeviceAttribute.MaxSharedMemoryPerBlockOptin]
            : Math.Max(persona[DeviceAttribute.MaxSharedMemoryPerBlock], persona[DeviceAttribute.MaxSharedMemoryPerBlockOptin]);
        return shared > limit ? CuResult.InvalidValue : CuResult.Success;
    }

    /// <summary>A cooperative grid must be co-resident: at most (active blocks per SM × SMs) blocks.</summary>
    private static CuResult CheckCooperativeGrid(Function function, Persona persona, Dim3 grid, Dim3 block, uint dynamicSharedBytes)
    {
        if (persona[DeviceAttribute.CooperativeLaunch] == 0) return CuResult.NotSupported;
        var perSm = ActiveBlocksPerMultiprocessor(function, persona, (int)block.Volume, dynamicSharedBytes);
        return grid.Volume > (ulong)perSm * (ulong)persona[DeviceAttribute.MultiprocessorCount]
            ? CuResult.CooperativeLaunchTooLarge
            : CuResult.Success;
    }

    private static int ActiveBlocksPerMultiprocessor(Function function, Persona persona, int blockSize, ulong dynamicSharedBytes)
    {
        var resources = new KernelResources(function.RegistersPerThread, (int)function.Ir.StaticSharedSize, MaxThreadsFor(function, persona));
        Occupancy.MaxActiveBlocksPerMultiprocessor(CudaRuntime.MultiprocessorLimitsOf(persona), resources, blockSize, dynamicSharedBytes, out var blocks);
        return blocks;
    }

    // ---- occupancy ------------------------------------------------------------------------------------------------

    /// <summary><c>cuOccupancyMaxActiveBlocksPerMultiprocessor(WithFlags)</c>; flags: CU_OCCUPANCY_DEFAULT (0) or DISABLE_CACHING_OVERRIDE (1).</summary>
    public CuResult OccupancyMaxActiveBlocksPerMultiprocessor(nint functionHandle, int blockSize, ulong dynamicSharedBytes, uint flags, out int blocks)
    {
        blocks = 0;
        if (flags > 1) return CuResult.InvalidValue;
        var result = GetFunction(functionHandle, out var function);
        if (result != CuResult.Success) return result;
        if (blockSize <= 0) return CuResult.InvalidValue;
        blocks = ActiveBlocksPerMultiprocessor(function, function.Module.Context.Device.Persona, blockSize, dynamicSharedBytes);
        return CuResult.Success;
    }

    /// <summary>
    /// <c>cuOccupancyMaxPotentialBlockSize(WithFlags)</c>: the block size (a multiple of the warp size, up to the
    /// function's and the caller's limit) with the most resident threads per SM; ties go to the larger block, as
    /// NVIDIA's calculator does. <paramref name="dynamicSharedForBlockSize"/> may vary shared memory with the block size.
    /// </summary>
    public CuResult OccupancyMaxPotentialBlockSize(nint functionHandle, Func<int, ulong>? dynamicSharedForBlockSize,
        ulong dynamicSharedBytes, int blockSizeLimit, out int minGridSize, out int blockSize)
    {
        minGridSize = blockSize = 0;
        var result = GetFunction(functionHandle, out var function);
        if (result != CuResult.Success) return result;
        var persona = function.Module.Context.Device.Persona;
        var warp = persona[DeviceAttribute.WarpSize];
        var limit = MaxThreadsFor(function, persona);
        if (blockSizeLimit > 0) limit = Math.Min(limit, blockSizeLimit);
        var bestThreads = -1;
        var bestBlocks = 0;
        for (var candidate = (limit / warp) * warp; candidate >= warp; candidate -= warp)
        {
            var shared = dynamicSharedForBlockSize?.Invoke(candidate) ?? dynamicSharedBytes;
            var blocks = ActiveBlocksPerMultiprocessor(function, persona, candidate, shared);
            if (blocks * candidate > bestThreads)
            {
                bestThreads = blocks * candidate;
                bestBlocks = blocks;
                blockSize = candidate;
            }
        }
        if (limit < warp && limit > 0)
        {
            blockSize = limit;
            bestBlocks = ActiveBlocksPerMultiprocessor(function, persona, limit, dynamicSharedForBlockSize?.Invoke(limit) ?? dynamicSharedBytes);
        }
        minGridSize = bestBlocks * persona[DeviceAttribute.MultiprocessorCount];
        return CuResult.Success;
    }

    /// <summary><c>cuOccupancyAvailableDynamicSMemPerBlock</c>: dynamic shared memory left per block when <paramref name="numBlocks"/> share an SM.</summary>
    public CuResult OccupancyAvailableDynamicSharedPerBlock(nint functionHandle, int numBlocks, int blockSize, out ulong bytes)
    {
        bytes = 0;
        var result = GetFunction(functionHandle, out var function);
        if (result != CuResult.Success) return result;
        if (numBlocks <= 0 || blockSize <= 0) return CuResult.InvalidValue;
        var persona = function.Module.Context.Device.Persona;
        var perSm = persona[DeviceAttribute.MaxSharedMemoryPerMultiprocessor];
        var reserved = persona[DeviceAttribute.ReservedSharedMemoryPerBlock];
        var perBlock = perSm / numBlocks - reserved - function.Ir.StaticSharedSize;
        perBlock = Math.Min(perBlock, persona[DeviceAttribute.MaxSharedMemoryPerBlockOptin] - function.Ir.StaticSharedSize);
        bytes = (ulong)Math.Max(0, perBlock / 128 * 128);
        return CuResult.Success;
    }

    private void Log(string message) => _options?.Log?.Invoke(message);

    /// <summary>Global memory as one device's kernels see it: the allocation table decides, with that device's VMM rights.</summary>
    private sealed class DeviceMemoryView(MemorySystem memory, int deviceOrdinal) : IGlobalMemory
    {
        public bool TryTranslate(ulong address, ulong size, bool isWrite, out nint host)
        {
            // Unified addressing: a device address is the host address of its bytes once the table vouches for it.
            host = (nint)address;
            return memory.TryResolve(address, size, isWrite ? AccessKind.Write : AccessKind.Read, deviceOrdinal, out _);
        }

        public bool TryGetRegion(ulong address, bool isWrite, out ulong start, out ulong length)
        {
            // One region of the table (an allocation, or one mapped piece of a VMM reservation) with this
            // device's rights: every byte of it answers like the address itself.
            if (memory.TryResolve(address, 1, isWrite ? AccessKind.Write : AccessKind.Read, deviceOrdinal, out var region))
            {
                (start, length) = (region.Base, region.Size);
                return true;
            }
            (start, length) = (0, 0);
            return false;
        }
    }
}
