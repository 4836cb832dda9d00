using Emulator.Driver.Contexts;
using Emulator.Driver.Modules;
using Emulator.Kernels.Fatbin;
using Emulator.Kernels.Ir;
using Emulator.Kernels.Ptx;

namespace Emulator.Driver;

/// <summary>
/// Modules, libraries and functions: <c>cuModuleLoad*</c>, <c>cuLibrary*</c>, <c>cuModuleGetFunction/Global</c>,
/// <c>cuFuncGet/SetAttribute</c>. A module is the PTX the device would JIT (highest arch ≤ its compute
/// capability), parsed and lowered once per image entry, with its variables in the context's device memory.
/// </summary>
public sealed partial class CudaDriver
{
    private readonly HandleTable<Module> _modules = new(0xC4);
    private readonly HandleTable<Function> _functions = new(0xC5);
    private readonly HandleTable<Library> _libraries = new(0xC6);
    private readonly HandleTable<LibraryKernel> _libraryKernels = new(0xC7);

    /// <summary><c>cuModuleLoadData</c>/<c>cuModuleLoadFatBinary</c> with an image of known length (PTX text, fatbin container(s) or cubin).</summary>
    public CuResult ModuleLoadData(ReadOnlyMemory<byte> image, out nint module)
    {
        module = 0;
        if (!TryIndex(() => FatbinImage.Index(image), out var indexed, out var failure)) return failure;
        return LoadModule(indexed, out module);
    }

    /// <summary>
    /// <c>cuModuleLoadData</c> with an image given only by its address, as C programs pass it: a fatbin wrapper or
    /// container, NUL-terminated PTX, or a cubin. The bytes are copied: the caller may free them afterwards.
    /// </summary>
    public unsafe CuResult ModuleLoadData(byte* image, out nint module)
    {
        module = 0;
        if (image == null) return CuResult.InvalidValue;
        if (!TryIndex(() => FatbinImage.FromNativePointer(image, copy: true), out var indexed, out var failure)) return failure;
        return LoadModule(indexed, out module);
    }

    /// <summary><c>cuModuleLoad</c>: a PTX, fatbin or cubin file.</summary>
    public CuResult ModuleLoad(string path, out nint module)
    {
        module = 0;
        return TryReadImageFile(path, out var bytes) ? ModuleLoadData(bytes, out module) : CuResult.FileNotFound;
    }

    /// <summary>Reads a PTX/fatbin/cubin file; any failure to read it is <c>CUDA_ERROR_FILE_NOT_FOUND</c> to the caller.</summary>
    private static bool TryReadImageFile(string path, out byte[] bytes)
    {
        try
        {
            bytes = File.ReadAllBytes(path);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            bytes = [];
            return false;
        }
    }

    /// <summary>Loads an indexed image into the current context.</summary>
    public CuResult LoadModule(FatbinImage image, out nint module)
    {
        module = 0;
        var result = GetCurrentContext(out var context);
        if (result != CuResult.Success) return result;
        result = CreateModule(context, image, out var created);
        if (result != CuResult.Success) return result;
        module = created.Handle;
        return CuResult.Success;
    }

    private CuResult CreateModule(Context context, FatbinImage image, out Module module)
    {
        module = null!;
        var persona = context.Device.Persona;
        var computeCapability = persona.ComputeCapabilityMajor * 10 + persona.ComputeCapabilityMinor;
        var entry = image.SelectPtx(computeCapability);
        if (entry is null)
        {
            Log($"cuemu: no PTX for compute capability {computeCapability / 10}.{computeCapability % 10} in the image ({image.Describe()}); " +
                "cubins (SASS) cannot be executed, only PTX");
            return CuResult.NoBinaryForGpu;
        }

        IrModule ir;
        try
        {
            ir = image.LoadModule(computeCapability);
        }
        catch (PtxException e)
        {
            Log($"cuemu: invalid PTX (compute_{entry.Arch}) at line {e.Line}, column {e.Column}: {e.Reason}");
            return CuResult.InvalidPtx;
        }
        catch (FatbinException e)
        {
            Log($"cuemu: cannot load module: {e.Message}");
            return e.Error == FatbinError.NoBinaryForGpu ? CuResult.NoBinaryForGpu : CuResult.InvalidImage;
        }

        // Raw PTX has no fatbin arch: the driver's JIT compiles its .target, which must not exceed the device.
        var architecture = entry.Arch > 0 ? entry.Arch : TargetArchitecture(ir);
        if (architecture > computeCapability)
        {
            Log($"cuemu: PTX .target sm_{architecture} is newer than the device (compute capability {computeCapability / 10}.{computeCapability % 10})");
            return CuResult.InvalidPtx;
        }

        var placed = PlaceVariables(context, ir, out var variables);
        if (placed != CuResult.Success) return placed;
        lock (_gate)
        {
            module = new Module(context, image, architecture, ir, variables);
            module.Handle = _modules.Add(module);
            var loaded = module;
            context.ReleaseActions.Add(() => ReleaseModule(loaded));
        }
        return CuResult.Success;
    }

    /// <summary>Allocates each defined module variable in the context's device memory and copies its initialiser in.</summary>
    private unsafe CuResult PlaceVariables(Context context, IrModule ir, out List<ModuleVariable> variables)
    {
        variables = new List<ModuleVariable>(ir.Globals.Count);
        foreach (var global in ir.Globals)
        {
            if (global.IsExternal) continue;
            var size = (ulong)Math.Max(global.Size, 1);
            var status = _memory!.Allocate(context.Device.Ordinal, size, out var address);
            if (status != Emulator.Memory.MemoryStatus.Success)
            {
                foreach (var placed in variables) _memory.Free(placed.Address);
                return ToResult(status);
            }
            var initial = global.InitialBytes.AsSpan(0, (int)Math.Min((long)global.InitialBytes.Length, global.Size));
            initial.CopyTo(new Span<byte>((void*)address, initial.Length));
            variables.Add(new ModuleVariable(global.Name, address, (ulong)global.Size, global.Space == IrStateSpace.Const));
        }
        PublishUsage();
        return CuResult.Success;
    }

    /// <summary>The <c>sm_XX</c> of a PTX module's <c>.target</c> list (XX; suffixes like <c>a</c> ignored), or 0.</summary>
    private static int TargetArchitecture(IrModule ir)
    {
        foreach (var target in ir.Targets)
        {
            if (!target.StartsWith("sm_", StringComparison.Ordinal)) continue;
            var digits = new string(target.AsSpan(3).ToArray().TakeWhile(char.IsAsciiDigit).ToArray());
            if (int.TryParse(digits, out var arch)) return arch;
        }
        return 0;
    }

    private static bool TryIndex(Func<FatbinImage> index, out FatbinImage image, out CuResult failure)
    {
        image = null!;
        failure = CuResult.Success;
        try
        {
            image = index();
            return true;
        }
        catch (FatbinException e)
        {
            failure = e.Error == FatbinError.NoBinaryForGpu ? CuResult.NoBinaryForGpu : CuResult.InvalidImage;
            return false;
        }
    }

    public CuResult ModuleUnload(nint handle)
    {
        if (!IsInitialized) return CuResult.NotInitialized;
        lock (_gate)
        {
            if (!_modules.TryGet(handle, out var module)) return CuResult.InvalidHandle;
            ReleaseModule(module);
            return CuResult.Success;
        }
    }

    /// <summary>Frees a module's variables and retires its handles; idempotent (called by unload and by context teardown).</summary>
    private void ReleaseModule(Module module)
    {
        if (module.IsUnloaded) return;
        module.IsUnloaded = true;
        _modules.Remove(module.Handle);
        foreach (var function in module.Functions) _functions.Remove(function.Handle);
        foreach (var variable in module.Variables) _memory?.Free(variable.Address);
        PublishUsage();
    }

    public CuResult GetModule(nint handle, out Module module)
    {
        module = null!;
        if (!IsInitialized) return CuResult.NotInitialized;
        lock (_gate)
            return _modules.TryGet(handle, out module) ? Usable(module.Context) : CuResult.InvalidHandle;
    }

    /// <summary><c>cuModuleGetFunction</c>: kernels are found by (mangled) name whatever their linkage, as nvcc's host code registers them.</summary>
    public CuResult ModuleGetFunction(nint moduleHandle, string name, out nint function)
    {
        function = 0;
        var result = GetModule(moduleHandle, out var module);
        if (result != CuResult.Success) return result;
        lock (_gate)
        {
            result = FunctionOf(module, name, out var found);
            if (result == CuResult.Success) function = found.Handle;
            return result;
        }
    }

    private CuResult FunctionOf(Module module, string name, out Function function)
    {
        if (module.TryGetFunction(name, out function)) return CuResult.Success;
        var ir = module.Ir.FindKernel(name);
        if (ir is null) return CuResult.NotFound;
        function = new Function(module, ir);
        function.Handle = _functions.Add(function);
        module.AddFunction(function);
        return CuResult.Success;
    }

    /// <summary><c>cuModuleGetGlobal</c>: address and size of a module variable.</summary>
    public CuResult ModuleGetGlobal(nint moduleHandle, string name, out ulong address, out ulong size)
    {
        address = size = 0;
        var result = GetModule(moduleHandle, out var module);
        if (result != CuResult.Success) return result;
        if (!module.TryGetVariable(name, out var variable)) return CuResult.NotFound;
        address = variable.Address;
        size = variable.Size;
        return CuResult.Success;
    }

    /// <summary>A function by handle; a <c>CUkernel</c> handle is accepted too and resolved in the current context, as CUDA 12 allows.</summary>
    public CuResult GetFunction(nint handle, out Function function)
    {
        function = null!;
        if (!IsInitialized) return CuResult.NotInitialized;
        lock (_gate)
        {
            if (_functions.TryGet(handle, out function)) return Usable(function.Module.Context);
            if (!_libraryKernels.TryGet(handle, out _)) return CuResult.InvalidHandle;
        }
        return KernelGetFunction(handle, out function);
    }

    // ---- function attributes ------------------------------------------------------------------------------------

    /// <summary><c>CUfunction_attribute</c> values.</summary>
    public enum FunctionAttribute
    {
        MaxThreadsPerBlock = 0,
        SharedSizeBytes = 1,
        ConstSizeBytes = 2,
        LocalSizeBytes = 3,
        NumRegs = 4,
        PtxVersion = 5,
        BinaryVersion = 6,
        CacheModeCa = 7,
        MaxDynamicSharedSizeBytes = 8,
        PreferredSharedMemoryCarveout = 9,
        ClusterSizeMustBeSet = 10,
        RequiredClusterWidth = 11,
        RequiredClusterHeight = 12,
        RequiredClusterDepth = 13,
        NonPortableClusterSizeAllowed = 14,
        ClusterSchedulingPolicyPreference = 15,
    }

    public CuResult FuncGetAttribute(int attribute, nint handle, out int value)
    {
        value = 0;
        var result = GetFunction(handle, out var function);
        if (result != CuResult.Success) return result;
        var persona = function.Module.Context.Device.Persona;
        var ir = function.Ir;
        switch ((FunctionAttribute)attribute)
        {
            case FunctionAttribute.MaxThreadsPerBlock:
                value = MaxThreadsFor(function, persona);
                return CuResult.Success;
            case FunctionAttribute.SharedSizeBytes: value = (int)ir.StaticSharedSize; return CuResult.Success;
            case FunctionAttribute.ConstSizeBytes:
                value = (int)function.Module.Variables.Where(v => v.IsConstant).Sum(v => (long)v.Size);
                return CuResult.Success;
            case FunctionAttribute.LocalSizeBytes: value = (int)ir.LocalSize; return CuResult.Success;
            case FunctionAttribute.NumRegs: value = function.RegistersPerThread; return CuResult.Success;
            case FunctionAttribute.PtxVersion: value = function.Module.PtxArchitecture; return CuResult.Success;
            // No SASS is generated: the binary version is that of the PTX it runs, as after a JIT for this device.
            case FunctionAttribute.BinaryVersion:
                value = persona.ComputeCapabilityMajor * 10 + persona.ComputeCapabilityMinor;
                return CuResult.Success;
            case FunctionAttribute.CacheModeCa: value = 0; return CuResult.Success;
            case FunctionAttribute.MaxDynamicSharedSizeBytes: value = function.MaxDynamicSharedBytes; return CuResult.Success;
            case FunctionAttribute.PreferredSharedMemoryCarveout: value = function.PreferredSharedCarveout; return CuResult.Success;
            case FunctionAttribute.ClusterSizeMustBeSet or FunctionAttribute.RequiredClusterWidth or FunctionAttribute.RequiredClusterHeight
                or FunctionAttribute.RequiredClusterDepth or FunctionAttribute.NonPortableClusterSizeAllowed
                or FunctionAttribute.ClusterSchedulingPolicyPreference:
                value = 0; // no .reqnctapercluster/.explicitcluster directives are supported: no cluster requirement
                return CuResult.Success;
            default:
                return CuResult.InvalidValue;
        }
    }

    public CuResult FuncSetAttribute(nint handle, int attribute, int value)
    {
        var result = GetFunction(handle, out var function);
        if (result != CuResult.Success) return result;
        var persona = function.Module.Context.Device.Persona;
        switch ((FunctionAttribute)attribute)
        {
            case FunctionAttribute.MaxDynamicSharedSizeBytes:
                // Static plus dynamic shared memory may not exceed the opt-in limit of the device.
                var optin = persona[Personas.DeviceAttribute.MaxSharedMemoryPerBlockOptin];
                if (value < 0 || value + function.Ir.StaticSharedSize > optin) return CuResult.InvalidValue;
                lock (_gate) function.MaxDynamicSharedBytes = value;
                return CuResult.Success;
            case FunctionAttribute.PreferredSharedMemoryCarveout:
                if (value < -1 || value > 100) return CuResult.InvalidValue;
                lock (_gate) function.PreferredSharedCarveout = value;
                return CuResult.Success;
            case FunctionAttribute.ClusterSchedulingPolicyPreference or FunctionAttribute.NonPortableClusterSizeAllowed:
                return CuResult.NotSupported; // thread-block clusters are not emulated
            default:
                return CuResult.InvalidValue; // the remaining attributes are read-only
        }
    }

    /// <summary><c>cuFuncSetCacheConfig</c>: CU_FUNC_CACHE_PREFER_NONE..EQUAL (0..3).</summary>
    public CuResult FuncSetCacheConfig(nint handle, int config)
    {
        var result = GetFunction(handle, out var function);
        if (result != CuResult.Success) return result;
        if (config is < 0 or > 3) return CuResult.InvalidValue;
        lock (_gate) function.CacheConfig = config;
        return CuResult.Success;
    }

    private static int MaxThreadsFor(Function function, Personas.Persona persona) =>
        function.MaxThreadsPerBlock(persona[Personas.DeviceAttribute.MaxThreadsPerBlock]);

    // ---- libraries (context-independent loading, CUDA 12) -------------------------------------------------------

    /// <summary><c>cuLibraryLoadData</c>: the image is indexed now; a module is created per context on first use.</summary>
    public CuResult LibraryLoadData(ReadOnlyMemory<byte> image, out nint library) =>
        AddLibrary(() => FatbinImage.Index(image), out library);

    public unsafe CuResult LibraryLoadData(byte* image, out nint library)
    {
        library = 0;
        if (image == null) return CuResult.InvalidValue;
        return AddLibrary(() => FatbinImage.FromNativePointer(image, copy: true), out library);
    }

    public CuResult LibraryLoadFromFile(string path, out nint library)
    {
        library = 0;
        return TryReadImageFile(path, out var bytes) ? LibraryLoadData(bytes, out library) : CuResult.FileNotFound;
    }

    private CuResult AddLibrary(Func<FatbinImage> index, out nint library)
    {
        library = 0;
        if (!IsInitialized) return CuResult.NotInitialized;
        if (!TryIndex(index, out var image, out var failure)) return failure;
        lock (_gate)
        {
            var created = new Library(image);
            library = created.Handle = _libraries.Add(created);
        }
        return CuResult.Success;
    }

    public CuResult LibraryUnload(nint handle)
    {
        if (!IsInitialized) return CuResult.NotInitialized;
        lock (_gate)
        {
            if (!_libraries.TryGet(handle, out var library)) return CuResult.InvalidHandle;
            _libraries.Remove(handle);
            foreach (var kernel in library.Kernels) _libraryKernels.Remove(kernel.Handle);
            foreach (var module in library.ModulesByContext.Values) ReleaseModule(module);
            return CuResult.Success;
        }
    }

    /// <summary><c>cuLibraryGetModule</c>: the library's module in the current context (loaded on first use).</summary>
    public CuResult LibraryGetModule(nint handle, out nint module)
    {
        module = 0;
        var result = LibraryModuleForCurrentContext(handle, out var loaded);
        if (result == CuResult.Success) module = loaded.Handle;
        return result;
    }

    /// <summary><c>cuLibraryGetKernel</c>: a context-independent kernel handle; the name must exist in the PTX the device would use.</summary>
    public CuResult LibraryGetKernel(nint handle, string name, out nint kernel)
    {
        kernel = 0;
        var result = LibraryModuleForCurrentContext(handle, out var module);
        if (result != CuResult.Success) return result;
        if (module.Ir.FindKernel(name) is null) return CuResult.NotFound;
        lock (_gate)
        {
            var library = module.Library!;
            var existing = library.Kernels.FirstOrDefault(k => k.Name == name);
            if (existing is null)
            {
                existing = new LibraryKernel(library, name);
                existing.Handle = _libraryKernels.Add(existing);
                library.Kernels.Add(existing);
            }
            kernel = existing.Handle;
        }
        return CuResult.Success;
    }

    /// <summary><c>cuKernelGetFunction</c>: the kernel's function in the current context.</summary>
    public CuResult KernelGetFunction(nint kernelHandle, out Function function)
    {
        function = null!;
        if (!IsInitialized) return CuResult.NotInitialized;
        LibraryKernel kernel;
        lock (_gate)
        {
            if (!_libraryKernels.TryGet(kernelHandle, out kernel)) return CuResult.InvalidHandle;
        }
        var result = LibraryModuleForCurrentContext(kernel.Library.Handle, out var module);
        if (result != CuResult.Success) return result;
        lock (_gate) return FunctionOf(module, kernel.Name, out function);
    }

    private CuResult LibraryModuleForCurrentContext(nint libraryHandle, out Module module)
    {
        module = null!;
        var result = GetCurrentContext(out var context);
        if (result != CuResult.Success) return result;
        Library library;
        lock (_gate)
        {
            if (!_libraries.TryGet(libraryHandle, out library)) return CuResult.InvalidHandle;
            if (library.ModulesByContext.TryGetValue(context, out module!) && !module.IsUnloaded) return CuResult.Success;
        }
        result = CreateModule(context, library.Image, out module);
        if (result != CuResult.Success) return result;
        lock (_gate)
        {
            // Another thread may have loaded it meanwhile: keep the first, drop ours.
            if (library.ModulesByContext.TryGetValue(context, out var first) && !first.IsUnloaded)
            {
                ReleaseModule(module);
                module = first;
                return CuResult.Success;
            }
            module.Library = library;
            library.ModulesByContext[context] = module;
        }
        return CuResult.Success;
    }
}
