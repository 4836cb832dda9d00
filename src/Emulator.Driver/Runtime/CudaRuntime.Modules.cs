using Emulator.Driver.Contexts;
using Emulator.Driver.Modules;
using Emulator.Kernels.Fatbin;

namespace Emulator.Driver.Runtime;

/// <summary>
/// Registered fatbins become driver modules on first use: the first launch (or symbol or attribute query) of a
/// registered function in a context loads its fatbin into that context once; later uses find the cached module.
/// A module unloaded behind the runtime's back (context teardown by cudaDeviceReset) is loaded again.
/// </summary>
public sealed partial class CudaRuntime
{
    private readonly Lock _moduleLock = new();
    private readonly Dictionary<(RegisteredFatbin Fatbin, Context Context), nint> _loadedModules = new();

    /// <summary>The module of a registered fatbin in the current context, loading it on first use.</summary>
    private CudaError ModuleFor(RegisteredFatbin fatbin, Context context, out Module module)
    {
        module = null!;
        lock (_moduleLock)
        {
            if (_loadedModules.TryGetValue((fatbin, context), out var cached)
                && Driver.GetModule(cached, out module) == CuResult.Success && !module.IsUnloaded)
                return CudaError.Success;
            var indexed = fatbin.IndexedImage();
            if (indexed.Error != CudaError.Success)
                return indexed.Error;
            var loaded = Driver.LoadModule(indexed.Image!, out var handle);
            if (loaded != CuResult.Success)
                return RuntimeErrors.FromDriver(loaded);
            _loadedModules[(fatbin, context)] = handle;
            return RuntimeErrors.FromDriver(Driver.GetModule(handle, out module));
        }
    }

    /// <summary>
    /// __cudaUnregisterFatBinary: unloads the fatbin's modules from every context it was loaded into (a context
    /// already torn down has released them itself, which the driver reports as an invalid handle).
    /// </summary>
    private void UnloadModulesOf(RegisteredFatbin fatbin)
    {
        lock (_moduleLock)
        {
            var loaded = _loadedModules.Where(entry => entry.Key.Fatbin == fatbin).OrderBy(entry => entry.Value).ToArray();
            foreach (var (key, module) in loaded)
            {
                Driver.ModuleUnload(module);
                _loadedModules.Remove(key);
            }
        }
    }

    /// <summary>
    /// The driver function a registered host stub launches in <paramref name="context"/>, found by its registered
    /// device name, with the attributes cudaFuncSetAttribute gave the stub applied to it. Launches ask this every
    /// time: after the first resolution per device the answer comes from the kernel's <see cref="DriverBinding"/>
    /// without a lock or a name lookup, until its module is unloaded or its attributes change.
    /// </summary>
    private CudaError DriverFunctionFor(RegisteredFunction registered, Context context, out Function function)
    {
        var state = registered.Launch;
        var settings = state.Settings;
        var ordinal = context.Device.Ordinal;
        var bindings = Volatile.Read(ref state.Bindings);
        if (bindings is not null && Volatile.Read(ref bindings[ordinal]) is { } bound && bound.IsValidFor(context, settings))
        {
            function = bound.Function;
            return CudaError.Success;
        }
        var resolved = ResolveDriverFunction(registered, context, settings, out var module, out function);
        if (resolved != CudaError.Success)
            return resolved;
        bindings ??= Interlocked.CompareExchange(ref state.Bindings, new DriverBinding?[Driver.Devices.Count], null) ?? state.Bindings!;
        Volatile.Write(ref bindings[ordinal], new DriverBinding(context, module, function, settings));
        return CudaError.Success;
    }

    private CudaError ResolveDriverFunction(RegisteredFunction registered, Context context, FunctionSettings settings,
        out Module module, out Function function)
    {
        function = null!;
        var load = ModuleFor(registered.Fatbin, context, out module);
        if (load != CudaError.Success)
            return load;
        var found = Driver.ModuleGetFunction(module.Handle, registered.DeviceName, out var handle);
        if (found == CuResult.NotFound)
            return CudaError.InvalidDeviceFunction;
        if (found != CuResult.Success)
            return RuntimeErrors.FromDriver(found);
        var resolved = Driver.GetFunction(handle, out function);
        if (resolved != CuResult.Success)
            return RuntimeErrors.FromDriver(resolved);
        foreach (var (attribute, value) in settings.Values)
        {
            if (attribute is not (FunctionAttribute.MaxDynamicSharedMemorySize or FunctionAttribute.PreferredSharedMemoryCarveout))
                continue; // cluster attributes: no kernel runs in clusters here, so they change nothing
            var applied = Driver.FuncSetAttribute(handle, (int)attribute, value);
            if (applied != CuResult.Success)
                return RuntimeErrors.FromDriver(applied);
        }
        return CudaError.Success;
    }

    // ---- module variables registered with __cudaRegisterVar ------------------------------------------------------

    /// <summary>cudaGetSymbolAddress / cudaGetSymbolSize: the device address of a registered variable in the current context.</summary>
    public CudaError GetSymbolAddress(nint hostShadow, out ulong address, out ulong size)
        => Record(ResolveSymbol(hostShadow, out address, out size));

    private CudaError ResolveSymbol(nint hostShadow, out ulong address, out ulong size)
    {
        address = size = 0;
        var context = EnsureContext(out var current);
        if (context != CudaError.Success)
            return context;
        if (!Registry.TryFindVariable(hostShadow, out var variable))
            return CudaError.InvalidSymbol;
        var load = ModuleFor(variable.Fatbin, current, out var module);
        if (load != CudaError.Success)
            return load;
        var found = Driver.ModuleGetGlobal(module.Handle, variable.DeviceName, out address, out size);
        return found == CuResult.NotFound ? CudaError.InvalidSymbol : RuntimeErrors.FromDriver(found);
    }

    /// <summary>cudaMemcpyToSymbol(Async): host or device source into a registered variable, bounds-checked against its size.</summary>
    public CudaError MemcpyToSymbol(nint hostShadow, ulong source, ulong count, ulong offset, MemcpyKind kind, nint stream, bool synchronous) =>
        kind is MemcpyKind.HostToDevice or MemcpyKind.DeviceToDevice or MemcpyKind.Default
            ? CopyAtSymbol(hostShadow, count, offset, toSymbol: true, source, kind, stream, synchronous)
            : Record(CudaError.InvalidMemcpyDirection);

    /// <summary>cudaMemcpyFromSymbol(Async): a registered variable into host or device memory.</summary>
    public CudaError MemcpyFromSymbol(ulong destination, nint hostShadow, ulong count, ulong offset, MemcpyKind kind, nint stream, bool synchronous) =>
        kind is MemcpyKind.DeviceToHost or MemcpyKind.DeviceToDevice or MemcpyKind.Default
            ? CopyAtSymbol(hostShadow, count, offset, toSymbol: false, destination, kind, stream, synchronous)
            : Record(CudaError.InvalidMemcpyDirection);

    /// <summary>
    /// The copy of both symbol calls: [offset, offset+count) must lie inside the variable; <paramref name="other"/>
    /// is the caller's end of the copy, the source when <paramref name="toSymbol"/> and the destination otherwise.
    /// </summary>
    private CudaError CopyAtSymbol(nint hostShadow, ulong count, ulong offset, bool toSymbol, ulong other, MemcpyKind kind,
        nint stream, bool synchronous)
    {
        var resolve = ResolveSymbol(hostShadow, out var address, out var size);
        if (resolve != CudaError.Success)
            return Record(resolve);
        if (offset > size || count > size - offset)
            return Record(CudaError.InvalidValue);
        var symbol = address + offset;
        var (destination, source) = toSymbol ? (symbol, other) : (other, symbol);
        return synchronous
            ? Memcpy(destination, source, count, kind)
            : MemcpyAsync(destination, source, count, kind, stream);
    }
}
