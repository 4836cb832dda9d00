using Emulator.Driver.Contexts;
using Emulator.Driver.Modules;
using Emulator.Driver.Personas;
using Emulator.Driver.Runtime.Graphs;

namespace Emulator.Driver.Runtime;

/// <summary>What cudaFuncGetAttributes reports for a kernel (cudaFuncAttributes, less the reserved words).</summary>
public sealed record KernelAttributes(
    ulong SharedSizeBytes,
    ulong ConstSizeBytes,
    ulong LocalSizeBytes,
    int MaxThreadsPerBlock,
    int NumRegs,
    int PtxVersion,
    int BinaryVersion,
    int MaxDynamicSharedSizeBytes,
    int PreferredShmemCarveout,
    int RequiredClusterWidth,
    int RequiredClusterHeight,
    int RequiredClusterDepth,
    int NonPortableClusterSizeAllowed,
    int ClusterSchedulingPolicyPreference);

/// <summary>cudaFuncAttribute values accepted by cudaFuncSetAttribute.</summary>
public enum FunctionAttribute
{
    MaxDynamicSharedMemorySize = 8,
    PreferredSharedMemoryCarveout = 9,
    ClusterDimMustBeSet = 10,
    RequiredClusterWidth = 11,
    RequiredClusterHeight = 12,
    RequiredClusterDepth = 13,
    NonPortableClusterSizeAllowed = 14,
    ClusterSchedulingPolicyPreference = 15,
}

/// <summary>One launch attribute of cudaLaunchKernelExC (cudaLaunchAttributeID and its first value word).</summary>
public readonly record struct LaunchAttribute(int Id, long Value);

public sealed partial class CudaRuntime
{
    /// <summary>cudaLaunchAttributeID values this runtime honours (all others are cudaErrorInvalidValue).</summary>
    public static class LaunchAttributeIds
    {
        public const int AccessPolicyWindow = 1;
        public const int Cooperative = 2;
        public const int SynchronizationPolicy = 3;
        public const int ClusterDimension = 4;
        public const int ClusterSchedulingPolicyPreference = 5;
        public const int ProgrammaticStreamSerialization = 6;
        public const int ProgrammaticEvent = 7;
        public const int Priority = 8;
        public const int MemSyncDomainMap = 9;
        public const int MemSyncDomain = 10;
        public const int LaunchCompletionEvent = 12;
        public const int DeviceUpdatableKernelNode = 13;
    }

    // Serialises the writers of each kernel's KernelLaunchState (its cudaKernel_t, its attribute snapshot) and of
    // _kernels; launches read both without it.
    private readonly Lock _functionLock = new();
    private readonly HandleTable<RegisteredFunction> _kernels = new(0xD3);

    // ---- nvcc's registration ABI ---------------------------------------------------------------------------

    public nint RegisterFatBinary(nint wrapper) => Registry.RegisterFatBinary(wrapper).Handle;

    public void RegisterFatBinaryEnd(nint handle) => Registry.CompleteRegistration(handle);

    public void RegisterFunction(nint handle, nint hostStub, string deviceName) =>
        Registry.RegisterFunction(handle, hostStub, deviceName);

    public void RegisterVariable(nint handle, nint hostShadow, string deviceName, ulong size, bool isConstant, bool isExtern) =>
        Registry.RegisterVariable(handle, hostShadow, deviceName, size, isConstant, isExtern);

    public void UnregisterFatBinary(nint handle)
    {
        var fatbin = Registry.Unregister(handle);
        if (fatbin is null)
            return;
        UnloadModulesOf(fatbin);
        lock (_functionLock)
        {
            foreach (var function in fatbin.Functions)
            {
                var state = function.Launch;
                if (state.KernelHandle != 0)
                    _kernels.Remove(state.KernelHandle);
                Volatile.Write(ref state.Bindings, null); // its modules are unloaded; drop the references
            }
        }
    }

    public CudaError PushCallConfiguration(Dim3 grid, Dim3 block, ulong sharedBytes, nint stream)
    {
        CallConfigurations.Push(new CallConfiguration(grid, block, sharedBytes, stream));
        return CudaError.Success;
    }

    public CudaError PopCallConfiguration(out CallConfiguration configuration) =>
        Record(CallConfigurations.Pop(out configuration));

    /// <summary>__cudaGetKernel / cudaGetKernel: the cudaKernel_t for a host stub, the same handle every time.</summary>
    public CudaError GetKernel(out nint kernel, nint hostStub)
    {
        kernel = 0;
        if (!Registry.TryFindFunction(hostStub, out var function))
            return Record(CudaError.InvalidDeviceFunction);
        var state = function.Launch;
        kernel = Volatile.Read(ref state.KernelHandle);
        if (kernel != 0)
            return CudaError.Success;
        lock (_functionLock)
        {
            if (state.KernelHandle == 0)
                Volatile.Write(ref state.KernelHandle, _kernels.Add(function));
            kernel = state.KernelHandle;
        }
        return CudaError.Success;
    }

    /// <summary>A launchable function from a host stub or a cudaKernel_t, as cudaLaunchKernel accepts either; lock-free.</summary>
    private bool TryResolveFunction(nint stubOrKernel, out RegisteredFunction function) =>
        Registry.TryFindFunction(stubOrKernel, out function) || _kernels.TryGet(stubOrKernel, out function);

    // ---- function attributes and occupancy ----------------------------------------------------------------------

    /// <summary>
    /// cudaFuncGetAttributes: the values of the function as loaded in the current context (its module is loaded
    /// on first use). ptxVersion is the PTX target chosen for the device (the highest compute_XX not above its
    /// compute capability) and binaryVersion the device's own capability, as for JIT-compiled code.
    /// </summary>
    public CudaError FuncGetAttributes(out KernelAttributes attributes, nint stubOrKernel)
    {
        attributes = null!;
        var context = EnsureContext(out var current);
        if (context != CudaError.Success)
            return Record(context);
        if (!TryResolveFunction(stubOrKernel, out var function))
            return Record(CudaError.InvalidDeviceFunction);
        var resolved = DriverFunctionFor(function, current, out var loaded);
        if (resolved != CudaError.Success)
            return Record(resolved);
        var set = function.Launch.Settings;
        int Driven(CudaDriver.FunctionAttribute attribute)
        {
            Driver.FuncGetAttribute((int)attribute, loaded.Handle, out var value);
            return value;
        }
        attributes = new KernelAttributes(
            SharedSizeBytes: (ulong)Driven(CudaDriver.FunctionAttribute.SharedSizeBytes),
            ConstSizeBytes: (ulong)Driven(CudaDriver.FunctionAttribute.ConstSizeBytes),
            LocalSizeBytes: (ulong)Driven(CudaDriver.FunctionAttribute.LocalSizeBytes),
            MaxThreadsPerBlock: Driven(CudaDriver.FunctionAttribute.MaxThreadsPerBlock),
            NumRegs: Driven(CudaDriver.FunctionAttribute.NumRegs),
            PtxVersion: Driven(CudaDriver.FunctionAttribute.PtxVersion),
            BinaryVersion: Driven(CudaDriver.FunctionAttribute.BinaryVersion),
            MaxDynamicSharedSizeBytes: Driven(CudaDriver.FunctionAttribute.MaxDynamicSharedSizeBytes),
            PreferredShmemCarveout: Driven(CudaDriver.FunctionAttribute.PreferredSharedMemoryCarveout),
            RequiredClusterWidth: set.GetValueOrDefault(FunctionAttribute.RequiredClusterWidth),
            RequiredClusterHeight: set.GetValueOrDefault(FunctionAttribute.RequiredClusterHeight),
            RequiredClusterDepth: set.GetValueOrDefault(FunctionAttribute.RequiredClusterDepth),
            NonPortableClusterSizeAllowed: set.GetValueOrDefault(FunctionAttribute.NonPortableClusterSizeAllowed),
            ClusterSchedulingPolicyPreference: set.GetValueOrDefault(FunctionAttribute.ClusterSchedulingPolicyPreference));
        return CudaError.Success;
    }

    /// <summary>cudaFuncSetAttribute, with the range checks NVIDIA documents for each attribute.</summary>
    public CudaError FuncSetAttribute(nint stubOrKernel, int attribute, int value)
    {
        var context = EnsureContext(out var current);
        if (context != CudaError.Success)
            return Record(context);
        if (!TryResolveFunction(stubOrKernel, out var function))
            return Record(CudaError.InvalidDeviceFunction);
        var persona = current.Device.Persona;
        var valid = (FunctionAttribute)attribute switch
        {
            FunctionAttribute.MaxDynamicSharedMemorySize =>
                value >= 0 && value <= persona[DeviceAttribute.MaxSharedMemoryPerBlockOptin],
            FunctionAttribute.PreferredSharedMemoryCarveout => value is >= -1 and <= 100,
            FunctionAttribute.ClusterDimMustBeSet => false, // read-only
            FunctionAttribute.RequiredClusterWidth or FunctionAttribute.RequiredClusterHeight
                or FunctionAttribute.RequiredClusterDepth => value >= 0,
            FunctionAttribute.NonPortableClusterSizeAllowed => value is 0 or 1,
            FunctionAttribute.ClusterSchedulingPolicyPreference => value is >= 0 and <= 2,
            _ => false,
        };
        if (!valid)
            return Record(CudaError.InvalidValue);
        lock (_functionLock)
            function.Launch.Settings = function.Launch.Settings.With((FunctionAttribute)attribute, value);
        return CudaError.Success;
    }

    /// <summary>cudaOccupancyMaxActiveBlocksPerMultiprocessor(WithFlags) from the persona's per-SM limits.</summary>
    public CudaError OccupancyMaxActiveBlocksPerMultiprocessor(out int blocks, nint stubOrKernel, int blockSize, ulong dynamicSharedBytes, uint flags)
    {
        blocks = 0;
        if (flags > 1) // cudaOccupancyDefault 0, cudaOccupancyDisableCachingOverride 1
            return Record(CudaError.InvalidValue);
        var attributes = FuncGetAttributes(out var kernel, stubOrKernel);
        if (attributes != CudaError.Success)
            return attributes;
        EnsureContext(out var current);
        var limits = MultiprocessorLimitsOf(current.Device.Persona);
        var resources = new KernelResources(kernel.NumRegs, (int)kernel.SharedSizeBytes, kernel.MaxThreadsPerBlock);
        return Record(Occupancy.MaxActiveBlocksPerMultiprocessor(limits, resources, blockSize, dynamicSharedBytes, out blocks));
    }

    public static MultiprocessorLimits MultiprocessorLimitsOf(Persona persona) => new(
        WarpSize: persona[DeviceAttribute.WarpSize],
        MaxThreadsPerMultiprocessor: persona[DeviceAttribute.MaxThreadsPerMultiprocessor],
        MaxBlocksPerMultiprocessor: persona[DeviceAttribute.MaxBlocksPerMultiprocessor],
        RegistersPerMultiprocessor: persona[DeviceAttribute.MaxRegistersPerMultiprocessor],
        MaxRegistersPerBlock: persona[DeviceAttribute.MaxRegistersPerBlock],
        SharedMemoryPerMultiprocessor: persona[DeviceAttribute.MaxSharedMemoryPerMultiprocessor],
        MaxSharedMemoryPerBlockOptin: persona[DeviceAttribute.MaxSharedMemoryPerBlockOptin],
        ReservedSharedMemoryPerBlock: persona[DeviceAttribute.ReservedSharedMemoryPerBlock]);

    // ---- launches ---------------------------------------------------------------------------------------------

    /// <summary>cudaLaunchKernel (12: by host stub) and __cudaLaunchKernel (13: by cudaKernel_t).</summary>
    public CudaError LaunchKernel(nint stubOrKernel, Dim3 grid, Dim3 block, nint arguments, ulong sharedBytes, nint stream) =>
        LaunchKernelEx(stubOrKernel, grid, block, arguments, sharedBytes, stream, []);

    /// <summary>
    /// cudaLaunchKernelExC. Programmatic stream serialization / events (PDL) are satisfied by construction:
    /// every launch completes before the next operation starts, which is one of the orders PDL allows.
    /// </summary>
    public CudaError LaunchKernelEx(nint stubOrKernel, Dim3 grid, Dim3 block, nint arguments, ulong sharedBytes, nint stream,
        IReadOnlyList<LaunchAttribute> launchAttributes)
    {
        var context = EnsureContext(out var current);
        if (context != CudaError.Success)
            return Record(context);
        if (!TryResolveFunction(stubOrKernel, out var function))
            return Record(CudaError.InvalidDeviceFunction);
        var cooperative = false;
        foreach (var attribute in launchAttributes)
        {
            switch (attribute.Id)
            {
                case LaunchAttributeIds.Cooperative:
                    cooperative = attribute.Value != 0;
                    break;
                case LaunchAttributeIds.ProgrammaticStreamSerialization or LaunchAttributeIds.ProgrammaticEvent
                    or LaunchAttributeIds.Priority or LaunchAttributeIds.AccessPolicyWindow
                    or LaunchAttributeIds.SynchronizationPolicy or LaunchAttributeIds.MemSyncDomain
                    or LaunchAttributeIds.MemSyncDomainMap or LaunchAttributeIds.LaunchCompletionEvent
                    or LaunchAttributeIds.ClusterDimension or LaunchAttributeIds.ClusterSchedulingPolicyPreference
                    or LaunchAttributeIds.DeviceUpdatableKernelNode:
                    break; // scheduling hints: eager in-order execution already satisfies them
                default:
                    return Record(CudaError.InvalidValue);
            }
        }
        var shape = ValidateLaunchShape(current.Device.Persona, function, grid, block, sharedBytes);
        if (shape != CudaError.Success)
            return Record(shape);
        if (cooperative)
        {
            var fits = CheckCooperativeGrid(current.Device.Persona, function, grid, block, sharedBytes);
            if (fits != CudaError.Success)
                return Record(fits);
        }
        var resolve = ResolveStream(stream, out var resolvedStream, out var identity);
        if (resolve != CudaError.Success)
            return Record(resolve);
        var prepared = PrepareDriverLaunch(function, current, arguments, out var driverFunction, out var parameters);
        if (prepared != CudaError.Success)
            return Record(prepared);
        var options = new CudaDriver.LaunchOptions(Cooperative: cooperative);
        // Nothing captures: run on the stream just resolved, without building the graph node a capture would keep.
        if (Capture.IsIdle)
            return Record(Driver.Launch(driverFunction, grid, block, (uint)sharedBytes, resolvedStream, parameters, options));
        var node = new GraphNode(GraphNodeKind.Kernel, $"kernel {function.DeviceName} <<<{grid}, {block}, {sharedBytes}>>>",
            target => LaunchOnDriver(driverFunction, grid, block, sharedBytes, target, parameters, options));
        return Record(Capture.Submit(identity, node, () => node.Execute(stream)));
    }

    public CudaError LaunchCooperativeKernel(nint stubOrKernel, Dim3 grid, Dim3 block, nint arguments, ulong sharedBytes, nint stream) =>
        LaunchKernelEx(stubOrKernel, grid, block, arguments, sharedBytes, stream, [new LaunchAttribute(LaunchAttributeIds.Cooperative, 1)]);

    /// <summary>Launch-shape checks of cudaLaunchKernel: zero or oversized dimensions are cudaErrorInvalidConfiguration.</summary>
    private CudaError ValidateLaunchShape(Persona persona, RegisteredFunction function, Dim3 grid, Dim3 block, ulong sharedBytes)
    {
        if (grid.X == 0 || grid.Y == 0 || grid.Z == 0 || block.X == 0 || block.Y == 0 || block.Z == 0)
            return CudaError.InvalidConfiguration;
        if (block.X > (uint)persona[DeviceAttribute.MaxBlockDimX] || block.Y > (uint)persona[DeviceAttribute.MaxBlockDimY]
            || block.Z > (uint)persona[DeviceAttribute.MaxBlockDimZ] || block.Volume > (ulong)persona[DeviceAttribute.MaxThreadsPerBlock]
            || grid.X > (uint)persona[DeviceAttribute.MaxGridDimX] || grid.Y > (uint)persona[DeviceAttribute.MaxGridDimY]
            || grid.Z > (uint)persona[DeviceAttribute.MaxGridDimZ])
            return CudaError.InvalidConfiguration;
        return sharedBytes > (ulong)function.Launch.Settings.DynamicSharedLimit ? CudaError.InvalidValue : CudaError.Success;
    }

    /// <summary>A cooperative grid must be co-resident: at most max-active-blocks × SM count blocks.</summary>
    private CudaError CheckCooperativeGrid(Persona persona, RegisteredFunction function, Dim3 grid, Dim3 block, ulong sharedBytes)
    {
        if (persona[DeviceAttribute.CooperativeLaunch] == 0)
            return CudaError.NotSupported;
        var resources = new KernelResources(0, 0, persona[DeviceAttribute.MaxThreadsPerBlock]);
        Occupancy.MaxActiveBlocksPerMultiprocessor(MultiprocessorLimitsOf(persona), resources, (int)block.Volume, sharedBytes, out var perSm);
        return grid.Volume > (ulong)perSm * (ulong)persona[DeviceAttribute.MultiprocessorCount]
            ? CudaError.CooperativeLaunchTooLarge
            : CudaError.Success;
    }

    /// <summary>
    /// Resolves the driver function of a registered kernel in the current context (loading its module on first
    /// use) and packs the <c>void** args</c> by the PTX parameter layout now, while the caller's pointers are valid:
    /// a captured launch replays the same bytes.
    /// </summary>
    private unsafe CudaError PrepareDriverLaunch(RegisteredFunction function, Context context, nint arguments,
        out Function driverFunction, out byte[] parameters)
    {
        parameters = [];
        var resolved = DriverFunctionFor(function, context, out driverFunction);
        if (resolved != CudaError.Success)
            return resolved;
        return RuntimeErrors.FromDriver(Driver.PackParameters(driverFunction, (void**)arguments, null, out parameters));
    }

    /// <summary>Runs a prepared launch on a stream (the caller's, or the one a graph is launched into).</summary>
    private CudaError LaunchOnDriver(Function function, Dim3 grid, Dim3 block, ulong sharedBytes, nint streamHandle,
        byte[] parameters, CudaDriver.LaunchOptions options)
    {
        var resolve = Driver.ResolveStream(streamHandle, perThreadDefaultStream: false, out var stream);
        if (resolve != CuResult.Success)
            return RuntimeErrors.FromDriver(resolve);
        return RuntimeErrors.FromDriver(Driver.Launch(function, grid, block, (uint)sharedBytes, stream, parameters, options));
    }
}
