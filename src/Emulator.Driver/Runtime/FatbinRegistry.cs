using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Emulator.Kernels.Fatbin;

namespace Emulator.Driver.Runtime;

/// <summary>One <c>__cudaRegisterFatBinary</c>: a translation unit's fatbin and what its constructor registered.</summary>
public sealed class RegisteredFatbin
{
    internal RegisteredFatbin(nint handle, nint wrapper, nint image)
    {
        Handle = handle;
        Wrapper = wrapper;
        Image = image;
    }

    /// <summary>The <c>void**</c> handed back to the program's constructor.</summary>
    public nint Handle { get; }

    /// <summary>The <c>.nvFatBinSegment</c> wrapper: {u32 magic 0x466243B1, u32 version, u64 container, u64 unused}.</summary>
    public nint Wrapper { get; }

    /// <summary>The fatbin container the wrapper points to (magic 0xBA55ED50), or 0 when the wrapper is not one.</summary>
    public nint Image { get; }

    public List<RegisteredFunction> Functions { get; } = [];
    public List<RegisteredVariable> Variables { get; } = [];

    private readonly Lock _indexLock = new();
    private (FatbinImage? Image, CudaError Error)? _indexed;

    /// <summary>
    /// The wrapper indexed by the Kernels fatbin reader, once, without copying (the fatbin lives in the program's
    /// image); a wrapper that is not a readable fatbin is cudaErrorInvalidKernelImage.
    /// </summary>
    internal unsafe (FatbinImage? Image, CudaError Error) IndexedImage()
    {
        lock (_indexLock)
        {
            if (_indexed is { } known)
                return known;
            try
            {
                _indexed = (FatbinImage.FromNativePointer((byte*)Wrapper, copy: false), CudaError.Success);
            }
            catch (FatbinException e)
            {
                _indexed = (null, e.Error == FatbinError.NoBinaryForGpu ? CudaError.NoKernelImageForDevice : CudaError.InvalidKernelImage);
            }
            return _indexed.Value;
        }
    }

    /// <summary>Set by <c>__cudaRegisterFatBinaryEnd</c>; nvcc of CUDA 10.1+ always calls it.</summary>
    public bool RegistrationComplete { get; internal set; }
}

/// <summary>
/// <c>__cudaRegisterFunction</c>: a host stub and the mangled <c>.entry</c> name it launches. Compared by
/// reference (one object per registration), so keying by it never hashes the long mangled name; it also carries
/// what the runtime keeps per kernel (its cudaKernel_t, cudaFuncSetAttribute values, the resolved driver functions).
/// </summary>
public sealed class RegisteredFunction
{
    internal RegisteredFunction(RegisteredFatbin fatbin, nint hostStub, string deviceName, int ordinal)
    {
        Fatbin = fatbin;
        HostStub = hostStub;
        DeviceName = deviceName;
        Ordinal = ordinal;
    }

    public RegisteredFatbin Fatbin { get; }
    public nint HostStub { get; }
    public string DeviceName { get; }

    /// <summary>Registration order across the registry (deterministic).</summary>
    public int Ordinal { get; }

    /// <summary>The runtime's per-kernel state; only <see cref="CudaRuntime"/> reads and writes it.</summary>
    internal KernelLaunchState Launch { get; } = new();

    public override string ToString() => $"{DeviceName} (stub 0x{HostStub:x})";
}

/// <summary><c>__cudaRegisterVar</c>: a host shadow and the module global it stands for.</summary>
public sealed record RegisteredVariable(
    RegisteredFatbin Fatbin, nint HostShadow, string DeviceName, ulong Size, bool IsConstant, bool IsExtern);

/// <summary>
/// The index nvcc's registration ABI builds at program load. Registration only records names — ggml
/// registers 143 fatbins and 6 731 kernels from its constructors — and modules are loaded on first use.
/// </summary>
public sealed class FatbinRegistry
{
    public const uint WrapperMagic = 0x466243B1;
    public const uint ContainerMagic = 0xBA55ED50;

    private readonly Lock _lock = new();
    private readonly Dictionary<nint, RegisteredFatbin> _byHandle = new();
    // Read on every launch without the lock (changes still happen under it); never enumerated, so its order
    // cannot reach any output.
    private readonly ConcurrentDictionary<nint, RegisteredFunction> _functionsByStub = new();
    private readonly Dictionary<nint, RegisteredVariable> _variablesByShadow = new();
    private int _nextFunctionOrdinal;

    public unsafe RegisteredFatbin RegisterFatBinary(nint wrapper)
    {
        var image = (nint)0;
        if (wrapper != 0 && *(uint*)wrapper == WrapperMagic)
        {
            var container = *(nint*)(wrapper + 8);
            if (container != 0 && *(uint*)container == ContainerMagic)
                image = container;
        }
        // The handle is a real cell holding the wrapper address: nvcc only stores and passes it back,
        // but a cell keeps any code that does dereference it (old toolchains) on valid memory.
        var handle = (nint)NativeMemory.AllocZeroed(16);
        *(nint*)handle = wrapper;
        var fatbin = new RegisteredFatbin(handle, wrapper, image);
        lock (_lock)
            _byHandle[handle] = fatbin;
        return fatbin;
    }

    public CudaError CompleteRegistration(nint handle)
    {
        lock (_lock)
        {
            if (!_byHandle.TryGetValue(handle, out var fatbin))
                return CudaError.InvalidResourceHandle;
            fatbin.RegistrationComplete = true;
            return CudaError.Success;
        }
    }

    public CudaError RegisterFunction(nint handle, nint hostStub, string deviceName)
    {
        lock (_lock)
        {
            if (!_byHandle.TryGetValue(handle, out var fatbin))
                return CudaError.InvalidResourceHandle;
            var function = new RegisteredFunction(fatbin, hostStub, deviceName, _nextFunctionOrdinal++);
            fatbin.Functions.Add(function);
            _functionsByStub[hostStub] = function;
            return CudaError.Success;
        }
    }

    public CudaError RegisterVariable(nint handle, nint hostShadow, string deviceName, ulong size, bool isConstant, bool isExtern)
    {
        lock (_lock)
        {
            if (!_byHandle.TryGetValue(handle, out var fatbin))
                return CudaError.InvalidResourceHandle;
            var variable = new RegisteredVariable(fatbin, hostShadow, deviceName, size, isConstant, isExtern);
            fatbin.Variables.Add(variable);
            _variablesByShadow[hostShadow] = variable;
            return CudaError.Success;
        }
    }

    /// <summary><c>__cudaUnregisterFatBinary</c> (atexit): forgets the fatbin, its stubs and shadows.</summary>
    public unsafe RegisteredFatbin? Unregister(nint handle)
    {
        lock (_lock)
        {
            if (!_byHandle.Remove(handle, out var fatbin))
                return null;
            foreach (var function in fatbin.Functions)
                _functionsByStub.TryRemove(KeyValuePair.Create(function.HostStub, function));
            foreach (var variable in fatbin.Variables)
                if (_variablesByShadow.TryGetValue(variable.HostShadow, out var current) && ReferenceEquals(current, variable))
                    _variablesByShadow.Remove(variable.HostShadow);
            NativeMemory.Free((void*)handle);
            return fatbin;
        }
    }

    /// <summary>The function registered for a host stub; lock-free (every launch by stub asks).</summary>
    public bool TryFindFunction(nint hostStub, out RegisteredFunction function) =>
        _functionsByStub.TryGetValue(hostStub, out function!);

    public bool TryFindVariable(nint hostShadow, out RegisteredVariable variable)
    {
        lock (_lock)
            return _variablesByShadow.TryGetValue(hostShadow, out variable!);
    }

    public int FatbinCount
    {
        get { lock (_lock) return _byHandle.Count; }
    }

    public int FunctionCount => _functionsByStub.Count;
}
