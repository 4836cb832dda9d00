using Emulator.Driver.Contexts;
using Emulator.Kernels.Engine.Program;
using Emulator.Kernels.Fatbin;
using Emulator.Kernels.Ir;

namespace Emulator.Driver.Modules;

/// <summary>
/// A module loaded into one context: the lowered PTX chosen for the context's device, its module-scope
/// variables placed in that context's device memory (initialised from the PTX), and the functions handed out
/// so far. Created and mutated only by <see cref="CudaDriver"/> under its lock.
/// </summary>
public sealed class Module
{
    private readonly Dictionary<string, Function> _functions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ModuleVariable> _variables;

    internal Module(Context context, FatbinImage image, int ptxArchitecture, IrModule ir, IReadOnlyList<ModuleVariable> variables)
    {
        Context = context;
        Image = image;
        PtxArchitecture = ptxArchitecture;
        Ir = ir;
        Variables = variables;
        _variables = variables.ToDictionary(v => v.Name, StringComparer.Ordinal);
    }

    public nint Handle { get; internal set; }
    public Context Context { get; }
    public FatbinImage Image { get; }

    public IrModule Ir { get; }

    /// <summary>Module-scope <c>.global</c>/<c>.const</c> variables with their device addresses, in declaration order.</summary>
    public IReadOnlyList<ModuleVariable> Variables { get; }

    public bool IsUnloaded { get; internal set; }

    /// <summary>The library this module was created from (<c>cuLibraryGetModule</c>), or null for <c>cuModuleLoad*</c>.</summary>
    public Library? Library { get; internal set; }

    /// <summary>
    /// The virtual architecture of the PTX that runs (the fatbin entry chosen: highest arch ≤ the device's compute
    /// capability; for raw PTX its <c>.target</c>), major·10 + minor — what <c>CU_FUNC_ATTRIBUTE_PTX_VERSION</c> reports.
    /// </summary>
    public int PtxArchitecture { get; }

    public bool TryGetVariable(string name, out ModuleVariable variable) => _variables.TryGetValue(name, out variable!);

    /// <summary>Device address of a module variable by name, as kernels resolve their <c>.global</c> symbols.</summary>
    public ulong? ResolveVariable(string name) => _variables.TryGetValue(name, out var variable) ? variable.Address : null;

    internal bool TryGetFunction(string name, out Function function) => _functions.TryGetValue(name, out function!);

    internal void AddFunction(Function function) => _functions.Add(function.Name, function);

    internal IEnumerable<Function> Functions => _functions.Values;
}

/// <summary>A module-scope variable placed in device memory.</summary>
public sealed record ModuleVariable(string Name, ulong Address, ulong Size, bool IsConstant);

/// <summary>
/// A kernel of a loaded module (<c>CUfunction</c>). Its executable form is decoded on first launch, so a module
/// with thousands of kernels costs only what is launched. Settable attributes live here, per function.
/// </summary>
public sealed class Function
{
    private ExecutableKernel? _executable;
    private readonly Lock _decodeLock = new();

    internal Function(Module module, IrFunction ir)
    {
        Module = module;
        Ir = ir;
    }

    public nint Handle { get; internal set; }
    public Module Module { get; }
    public IrFunction Ir { get; }
    public string Name => Ir.Name;

    /// <summary><c>CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES</c>: 48 KiB until the program opts in to more.</summary>
    public int MaxDynamicSharedBytes { get; internal set; } = DefaultDynamicSharedLimit;

    /// <summary><c>CU_FUNC_ATTRIBUTE_PREFERRED_SHARED_MEMORY_CARVEOUT</c> (-1 = no preference).</summary>
    public int PreferredSharedCarveout { get; internal set; } = -1;

    /// <summary><c>CUfunc_cache</c>; recorded and reported, without effect on emulated execution.</summary>
    public int CacheConfig { get; internal set; }

    public const int DefaultDynamicSharedLimit = 48 * 1024;

    /// <summary>Threads per block the kernel allows: its <c>.reqntid</c>/<c>.maxntid</c> product, else the device limit.</summary>
    public int MaxThreadsPerBlock(int deviceLimit)
    {
        var declared = Ir.ReqNtid ?? Ir.MaxNtid;
        return declared is { Length: > 0 } ? Math.Min(deviceLimit, declared.Aggregate(1, (product, x) => product * x)) : deviceLimit;
    }

    /// <summary>
    /// Registers per thread as the occupancy calculator needs it. The emulator allocates none, so this is a
    /// deterministic estimate from the kernel's declared 32-bit register slots, within the architecture's 255.
    /// </summary>
    public int RegistersPerThread
    {
        get
        {
            long slots = 0;
            foreach (var register in Ir.Registers)
                slots += register.Type == IrType.Pred ? 0 : Math.Max(1, register.Type.SizeInBytes() / 4);
            return (int)Math.Clamp(slots, 16, 255);
        }
    }

    /// <summary>The engine's form of the kernel, decoded once.</summary>
    public ExecutableKernel Executable
    {
        get
        {
            if (_executable is { } ready) return ready;
            lock (_decodeLock)
                return _executable ??= KernelDecoder.Decode(Module.Ir, Ir);
        }
    }
}
