using Emulator.Driver.Contexts;
using Emulator.Driver.Modules;

namespace Emulator.Driver.Runtime;

/// <summary>
/// What the runtime keeps per registered kernel so that a launch takes no lock and looks nothing up by name once
/// the kernel has run in a context: its cudaKernel_t, its cudaFuncSetAttribute values (an immutable snapshot,
/// replaced whole) and, per device, the driver function it was last resolved to.
/// </summary>
internal sealed class KernelLaunchState
{
    /// <summary>The cudaKernel_t __cudaGetKernel handed out, or 0; written once, under the runtime's function lock.</summary>
    public nint KernelHandle;

    /// <summary>The current attribute values; replaced (never changed) under the runtime's function lock.</summary>
    public volatile FunctionSettings Settings = FunctionSettings.Default;

    /// <summary>By device ordinal: the driver function of the last launch there (created on first resolution).</summary>
    public DriverBinding?[]? Bindings;
}

/// <summary>
/// A kernel resolved in one context with one attribute snapshot applied. It stays valid while its module is
/// loaded (a cudaDeviceReset or an unregistered fatbin unloads it) and no cudaFuncSetAttribute replaced the
/// snapshot; the launch checks both, plus that the thread's current context is this one.
/// </summary>
internal sealed record DriverBinding(Context Context, Module Module, Function Function, FunctionSettings Settings)
{
    public bool IsValidFor(Context context, FunctionSettings settings) =>
        ReferenceEquals(Context, context) && ReferenceEquals(Settings, settings) && !Module.IsUnloaded;
}

/// <summary>The values cudaFuncSetAttribute gave one kernel, in attribute order (so they are applied in a fixed order).</summary>
internal sealed class FunctionSettings
{
    /// <summary>The default dynamic shared memory a kernel may use without cudaFuncSetAttribute (48 KiB).</summary>
    public const int DefaultDynamicSharedLimit = 48 * 1024;

    public static readonly FunctionSettings Default = new([]);

    private FunctionSettings(KeyValuePair<FunctionAttribute, int>[] values)
    {
        Values = values;
        DynamicSharedLimit = GetValueOrDefault(FunctionAttribute.MaxDynamicSharedMemorySize, DefaultDynamicSharedLimit);
    }

    public IReadOnlyList<KeyValuePair<FunctionAttribute, int>> Values { get; }

    /// <summary>The most dynamic shared memory a launch may ask for.</summary>
    public int DynamicSharedLimit { get; }

    public int GetValueOrDefault(FunctionAttribute attribute, int fallback = 0)
    {
        foreach (var (key, value) in Values)
            if (key == attribute)
                return value;
        return fallback;
    }

    /// <summary>A new snapshot with <paramref name="attribute"/> set to <paramref name="value"/>.</summary>
    public FunctionSettings With(FunctionAttribute attribute, int value) =>
        new(Values.Where(pair => pair.Key != attribute)
            .Append(KeyValuePair.Create(attribute, value))
            .OrderBy(pair => pair.Key)
            .ToArray());
}
