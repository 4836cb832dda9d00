using Emulator.ApiGen;

namespace Emulator.Tests.Native;

/// <summary>The API table's parser and the C → C# type mapping of docs/ARCHITECTURE.md.</summary>
public sealed class ApiTableTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("cuemu-api-").FullName;

    private ApiModel Parse(string text)
    {
        var path = Path.Combine(_directory, "test.api");
        File.WriteAllText(path, text);
        return ApiParser.ParseFiles([path]);
    }

    private const string Header = """
        family driver class=DriverApi status=CUresult not-supported=801 not-initialised=3 unknown=999 per-thread-stream=0x2
        library libx.so.1 tag=x node=libx.so.1
        status CUresult = CuResult { CUDA_SUCCESS = 0 }
        scalar CUdeviceptr = unsigned long long hex
        handle CUcontext
        stream CUstream
        enum CUattr
        struct Params
        value dim3 = Dim3 { unsigned int x, y, z; }

        """;

    [Fact]
    public void Types_map_as_the_architecture_document_says()
    {
        var model = Parse(Header + """
            CUresult f(CUdeviceptr* p, CUcontext* c, CUstream s, CUattr a, const struct Params* q, dim3 d, const char* n,
                       size_t z, unsigned int u, long long l, float x, void** v, out void** o)  ptsz
            """);
        var emitter = new ManagedEmitter(model);
        var decl = model.Declarations.ShouldHaveSingleItem();
        decl.Params.Select(p => emitter.ManagedType(p.Type)).ShouldBe(
        [
            "ulong*", "nint*", "nint", "int", "void*", "global::Emulator.Driver.Dim3", "byte*", "nuint", "uint", "long",
            "float", "void**", "void**",
        ]);
        emitter.ManagedType(decl.Return).ShouldBe("global::Emulator.Driver.CuResult");
        decl.Params[^1].MarkedOut.ShouldBeTrue();
        model.Entries.Select(e => e.ExportName).ShouldBe(["f", "f_ptsz"]);
    }

    [Fact]
    public void Indented_lines_continue_a_declaration_with_attributes()
    {
        var model = Parse(Header + "CUresult g_v2(int* x)\n    proc=g@3020 api\n");
        var decl = model.Declarations.ShouldHaveSingleItem();
        (decl.ProcBase, decl.ProcSince, decl.HeaderMacro).ShouldBe(("g", 3020, "g"));
    }

    [Fact]
    public void An_undeclared_type_is_an_error_naming_file_and_line()
    {
        var error = Should.Throw<FormatException>(() => Parse(Header + "CUresult h(Unknown* x)\n"));
        error.Message.ShouldContain("test.api:10");
        error.Message.ShouldContain("Unknown");
    }

    [Fact]
    public void A_name_exported_twice_by_one_library_is_an_error()
    {
        Should.Throw<FormatException>(() => Parse(Header + "CUresult k(int a)\nCUresult k(int b)\n"))
            .Message.ShouldContain("libx.so.1: k");
    }

    [Fact]
    public void The_real_table_parses_and_covers_every_library()
    {
        var files = Directory.GetFiles(Path.Combine(NativeTool.RepoRoot, "src", "Exports", "api"), "*.api");
        var model = ApiParser.ParseFiles(files.Order(StringComparer.Ordinal));
        model.Libraries.Select(l => l.Soname).Order().ShouldBe(
        [
            "libcublas.so.12", "libcublas.so.13", "libcublasLt.so.12", "libcublasLt.so.13", "libcuda.so.1",
            "libcudart.so.11.0", "libcudart.so.12", "libcudart.so.13", "libnvidia-ml.so.1",
        ]);
        model.Entries.Count.ShouldBe(Emulator.Exports.Generated.ApiEntries.Count);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
