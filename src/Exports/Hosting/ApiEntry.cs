namespace Emulator.Exports.Hosting;

/// <summary>
/// One slot of the entry table as ApiGen generated it: the exported C name, the implementation method it forwards
/// to (<see cref="ImplClass"/>.<see cref="ImplName"/>) with its mapped parameter and return types, and the codes the
/// wrapper returns itself when there is no implementation or it throws.
/// </summary>
public sealed record ApiEntry(
    int Index, string ExportName, string Family, Type ImplClass, string ImplName, Type[] ParameterTypes,
    Type ReturnType, bool PerThreadVariant, string[] Libraries, int NotSupported, int Unknown)
{
    public string Signature =>
        $"{ReturnType.Name} {ImplClass.Name}.{ImplName}({string.Join(", ", ParameterTypes.Select(t => t.Name))})";
}

/// <summary>How cuGetProcAddress finds a libcuda entry: the name asked for and the first CUDA version it answers.</summary>
public sealed record ProcEntry(string Base, int Since, string ExportName, string? PerThreadExportName);
