using System.Reflection;
using System.Runtime.InteropServices;
using Emulator.Exports.Generated;

namespace Emulator.Exports.Hosting;

/// <summary>A method named like an entry whose signature is not the one the table maps the C signature to.</summary>
public sealed record BindingMismatch(ApiEntry Entry, string Found);

/// <summary>
/// Binds each entry of the table to its implementation method, found by reflection over <c>DriverApi</c>,
/// <c>RuntimeApi</c>, <c>BlasApi</c> and <c>NvmlApi</c>: implemented-ness is derived from the code. A method must be
/// public static with exactly the mapped parameter and return types; anything else is logged, reported in
/// <see cref="Mismatches"/> and treated as unimplemented. The wrappers call <see cref="Implementations"/>[index].
/// </summary>
public static unsafe class ApiBinding
{
    private static readonly Lock Gate = new();
    private static bool _bound;
    private static readonly List<BindingMismatch> MismatchList = [];
    private static readonly byte* UnsupportedMessage = (byte*)Marshal.StringToCoTaskMemUTF8("cuemu: this entry point is not supported");

    /// <summary>Function pointers of the bound implementation methods, by entry index; 0 where none.</summary>
    public static readonly nint[] Implementations = new nint[ApiEntries.Count];

    public static IReadOnlyList<BindingMismatch> Mismatches
    {
        get { Bind(); return MismatchList; }
    }

    public static bool IsImplemented(int index)
    {
        Bind();
        return Implementations[index] != 0;
    }

    public static void Bind()
    {
        lock (Gate)
        {
            if (_bound) return;
            foreach (var entry in ApiEntries.All) BindEntry(entry);
            _bound = true;
        }
    }

    /// <summary>
    /// A per-thread variant (<c>cuMemcpyAsync_ptsz</c>) binds to a method of its own name when the class has one,
    /// otherwise to its base method (the wrapper has already replaced a null stream with the per-thread stream).
    /// </summary>
    private static void BindEntry(ApiEntry entry)
    {
        var candidates = Candidates(entry, entry.ImplName);
        if (entry.PerThreadVariant && Candidates(entry, entry.ExportName) is { Count: > 0 } own) candidates = own;
        if (candidates.Count == 0) return;
        var exact = Exact(entry, candidates);
        if (exact is null)
        {
            string found = string.Join("; ", candidates.Select(Describe));
            MismatchList.Add(new BindingMismatch(entry, found));
            ExportLog.Write($"{entry.ExportName}: {found} does not match the table's {entry.Signature}; treated as unimplemented");
            return;
        }
        Implementations[entry.Index] = exact.MethodHandle.GetFunctionPointer();
    }

    private static List<MethodInfo> Candidates(ApiEntry entry, string name) => entry.ImplClass
        .GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly)
        .Where(m => m.Name == name)
        .ToList();

    private static MethodInfo? Exact(ApiEntry entry, List<MethodInfo> candidates) =>
        candidates.Find(m => m.IsPublic && m.IsStatic && !m.IsGenericMethodDefinition
                             && m.ReturnType == entry.ReturnType
                             && m.GetParameters().Select(p => p.ParameterType).SequenceEqual(entry.ParameterTypes));

    private static string Describe(MethodInfo m) =>
        $"{(m.IsPublic ? "public " : "")}{(m.IsStatic ? "static " : "")}{m.ReturnType.Name} {m.DeclaringType?.Name}.{m.Name}" +
        $"({string.Join(", ", m.GetParameters().Select(p => p.ParameterType.Name))})";

    /// <summary>No implementation: log the name once and answer the family's NOT_SUPPORTED code.</summary>
    public static int Unsupported(int index)
    {
        var entry = ApiEntries.All[index];
        ExportLog.WriteOnce("unsupported:" + entry.ExportName,
            $"{entry.ExportName} is not implemented; it returns {entry.NotSupported} (not supported)");
        return entry.NotSupported;
    }

    /// <summary>An implementation threw: log it and answer the family's "unknown" code.</summary>
    public static int Failed(int index, Exception exception)
    {
        var entry = ApiEntries.All[index];
        ExportLog.Write($"{entry.ExportName} failed with {exception.GetType().Name}: {exception.Message}; it returns {entry.Unknown}\n{exception.StackTrace}");
        return entry.Unknown;
    }

    public static T UnsupportedValue<T>(int index) where T : unmanaged
    {
        Unsupported(index);
        return default;
    }

    public static T FailedValue<T>(int index, Exception exception) where T : unmanaged
    {
        Failed(index, exception);
        return default;
    }

    public static void* UnsupportedPointer(int index)
    {
        Unsupported(index);
        return null;
    }

    public static void* FailedPointer(int index, Exception exception)
    {
        Failed(index, exception);
        return null;
    }

    /// <summary>Entries returning a string (cudaGetErrorString) answer a static message rather than NULL.</summary>
    public static byte* UnsupportedText(int index)
    {
        Unsupported(index);
        return UnsupportedMessage;
    }

    public static byte* FailedText(int index, Exception exception)
    {
        Failed(index, exception);
        return UnsupportedMessage;
    }

    public static void TraceFailed(int index, Exception exception) =>
        ExportLog.WriteOnce("trace:" + ApiEntries.All[index].ExportName,
            $"tracing {ApiEntries.All[index].ExportName} failed: {exception.Message}");
}
