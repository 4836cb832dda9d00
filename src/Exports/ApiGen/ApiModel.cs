namespace Emulator.ApiGen;

/// <summary>A library family: the managed class its entries forward to and the codes the wrappers return themselves.</summary>
public sealed record Family(
    string Name, string ImplClass, string StatusType, long NotSupported, long NotInitialised, long Unknown,
    long? PerThreadStream);

/// <summary>One shared object: SONAME, version node (null: unversioned symbols) and symlink names.</summary>
public sealed record Library(string Soname, string Tag, string? VersionNode, IReadOnlyList<string> Links, Family Family);

public enum TypeKind { Builtin, Status, Enum, Handle, Stream, Scalar, Struct, Value, Callback }

/// <summary>A type declared in the table (or a C builtin). <c>Header</c> is its definition for cuemu_api.h.</summary>
public sealed record TypeDecl(string Name, TypeKind Kind, string? ManagedName, string? ScalarBase, bool Hex, string? Body);

/// <summary>A C type as written: base name, pointer depth, and whether the pointee is const.</summary>
public sealed record CType(string Base, int Depth, bool PointeeConst)
{
    public string Render() => Base + new string('*', Depth);
}

/// <summary>A parameter; <c>TypeText</c> is its C type as written (without the <c>out</c> marker).</summary>
public sealed record Param(string Name, CType Type, bool MarkedOut, string TypeText);

/// <summary>One entry point as declared in the table.</summary>
public sealed record Declaration(
    string Name, CType Return, string ReturnText, IReadOnlyList<Param> Params, Family Family,
    IReadOnlyList<Library> Libraries, string ImplName, string ProcBase, int ProcSince, string? HeaderMacro,
    IReadOnlyList<string> PerThreadSuffixes, string Source);

/// <summary>
/// One slot of the process-wide entry table: an exported C name bound to a managed wrapper. A per-thread variant
/// (<c>_ptsz</c>/<c>_ptds</c>) is its own slot, forwarding to the same implementation method.
/// </summary>
public sealed record Entry(int Index, string ExportName, Declaration Decl, bool PerThread)
{
    public string WrapperName => Decl.ImplName == Decl.Name
        ? ExportName
        : ExportName + "__" + Decl.ImplName;
}

public sealed class ApiModel
{
    public List<Family> Families { get; } = [];
    public List<Library> Libraries { get; } = [];
    public List<TypeDecl> Types { get; } = [];
    public List<(string Name, string Value)> Defines { get; } = [];
    public List<Declaration> Declarations { get; } = [];
    public List<Entry> Entries { get; } = [];

    public TypeDecl? FindType(string name) => Types.Find(t => t.Name == name);
}
