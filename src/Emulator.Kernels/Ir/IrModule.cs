namespace Emulator.Kernels.Ir;

/// <summary>A lowered PTX module: functions (kernels, device functions, external declarations) and module-scope variables.</summary>
public sealed class IrModule
{
    public required string PtxVersion { get; init; }
    /// <summary>The <c>.target</c> list (<c>sm_80</c>, ...).</summary>
    public required IReadOnlyList<string> Targets { get; init; }
    public required int AddressSize { get; init; }
    public required IReadOnlyList<IrFunction> Functions { get; init; }
    public required IReadOnlyList<IrGlobal> Globals { get; init; }

    private Dictionary<string, int>? _functionIndex;
    private Dictionary<string, int>? _globalIndex;

    /// <summary>Looks a kernel up by its (mangled) name; visibility does not matter, as the host registers plain <c>.entry</c> kernels by name.</summary>
    public IrFunction? FindKernel(string name)
    {
        _functionIndex ??= BuildIndex(Functions.Select(f => f.Name));
        return _functionIndex.TryGetValue(name, out var index) && Functions[index].IsEntry ? Functions[index] : null;
    }

    public int FindGlobal(string name)
    {
        _globalIndex ??= BuildIndex(Globals.Select(g => g.Name));
        return _globalIndex.TryGetValue(name, out var index) ? index : -1;
    }

    public IEnumerable<IrFunction> Kernels => Functions.Where(f => f.IsEntry);

    private static Dictionary<string, int> BuildIndex(IEnumerable<string> names)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var position = 0;
        foreach (var name in names)
            index.TryAdd(name, position++);
        return index;
    }
}
