using Emulator.Driver.Contexts;

namespace Emulator.Driver.Blas;

/// <summary>
/// The model behind libcublas: handles and their settings, over one <see cref="CudaDriver"/>. Operations
/// (<see cref="BlasLibrary"/>'s GEMM and TRSM methods) run on a handle's stream through the driver, so they are
/// ordered, timed and faulted like kernels. Every method answers a <see cref="CublasStatus"/>; an unknown or
/// destroyed handle is <c>CUBLAS_STATUS_NOT_INITIALIZED</c>, as cuBLAS reports it.
/// </summary>
public sealed partial class BlasLibrary
{
    private readonly object _gate = new();
    private readonly HandleTable<BlasHandle> _handles = new(0xB1);

    public BlasLibrary(CudaDriver driver) => Driver = driver;

    public CudaDriver Driver { get; }

    /// <summary>
    /// The runtime whose streams the handles use (libcublas sits on libcudart). With it, an operation on a capturing
    /// stream (cudaStreamBeginCapture) becomes a node of the captured graph and runs when the graph is launched, as
    /// cuBLAS's kernels do; without it (the driver alone) operations run at once on their stream.
    /// </summary>
    public Runtime.CudaRuntime? Runtime { get; init; }

    /// <summary>Live handles (destroyed ones are gone for good: their values are never reused).</summary>
    public int HandleCount
    {
        get { lock (_gate) return _handles.Count; }
    }

    /// <summary><c>cublasCreate</c> in <paramref name="context"/>, which the caller has made sure exists (libcublas initialises the runtime first).</summary>
    public CublasStatus Create(Context context, out nint handle)
    {
        handle = 0;
        if (context.State != ContextState.Active) return CublasStatus.NotInitialized;
        lock (_gate)
        {
            handle = _handles.Add(new BlasHandle(context));
        }
        return CublasStatus.Success;
    }

    public CublasStatus Destroy(nint handle)
    {
        lock (_gate)
        {
            return _handles.Remove(handle) ? CublasStatus.Success : CublasStatus.NotInitialized;
        }
    }

    public CublasStatus Get(nint handle, out BlasHandle value)
    {
        lock (_gate)
        {
            return _handles.TryGet(handle, out value) ? CublasStatus.Success : CublasStatus.NotInitialized;
        }
    }

    /// <summary>
    /// <c>cublasSetStream</c>: remembered as given (cuBLAS does not validate it here; an unusable stream fails the
    /// next operation). Setting a stream also drops a user workspace, as cuBLAS does, so the default pool is used again.
    /// </summary>
    public CublasStatus SetStream(nint handle, nint stream)
    {
        var status = Get(handle, out var value);
        if (status != CublasStatus.Success) return status;
        lock (_gate)
        {
            value.Stream = stream;
            value.Workspace = 0;
            value.WorkspaceBytes = 0;
        }
        return CublasStatus.Success;
    }

    public CublasStatus GetStream(nint handle, out nint stream)
    {
        stream = 0;
        var status = Get(handle, out var value);
        if (status == CublasStatus.Success) stream = value.Stream;
        return status;
    }

    public CublasStatus SetMathMode(nint handle, int mode)
    {
        var status = Get(handle, out var value);
        if (status != CublasStatus.Success) return status;
        if (!BlasMathMode.IsValid(mode)) return CublasStatus.InvalidValue;
        value.MathMode = mode;
        return CublasStatus.Success;
    }

    public CublasStatus GetMathMode(nint handle, out int mode)
    {
        mode = 0;
        var status = Get(handle, out var value);
        if (status == CublasStatus.Success) mode = value.MathMode;
        return status;
    }

    public CublasStatus SetPointerMode(nint handle, int mode)
    {
        var status = Get(handle, out var value);
        if (status != CublasStatus.Success) return status;
        if (mode is not ((int)BlasPointerMode.Host or (int)BlasPointerMode.Device)) return CublasStatus.InvalidValue;
        value.PointerMode = (BlasPointerMode)mode;
        return CublasStatus.Success;
    }

    public CublasStatus GetPointerMode(nint handle, out int mode)
    {
        mode = 0;
        var status = Get(handle, out var value);
        if (status == CublasStatus.Success) mode = (int)value.PointerMode;
        return status;
    }

    /// <summary>
    /// <c>cublasSetWorkspace</c>: a non-empty workspace must be device memory of the stated size, 256-byte aligned
    /// (cuBLAS's documented minimum alignment); otherwise INVALID_VALUE.
    /// </summary>
    public CublasStatus SetWorkspace(nint handle, ulong workspace, ulong bytes)
    {
        var status = Get(handle, out var value);
        if (status != CublasStatus.Success) return status;
        if (bytes > 0)
        {
            if (workspace == 0 || workspace % 256 != 0) return CublasStatus.InvalidValue;
            var memory = Driver.Memory;
            if (memory is null || !memory.TryResolve(workspace, bytes, Emulator.Memory.AccessKind.ReadWrite,
                    value.Context.Device.Ordinal, out _))
                return CublasStatus.InvalidValue;
        }
        lock (_gate)
        {
            value.Workspace = bytes > 0 ? workspace : 0;
            value.WorkspaceBytes = bytes > 0 ? bytes : 0;
        }
        return CublasStatus.Success;
    }
}
