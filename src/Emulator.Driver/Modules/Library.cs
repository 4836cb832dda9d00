using Emulator.Driver.Contexts;
using Emulator.Kernels.Fatbin;

namespace Emulator.Driver.Modules;

/// <summary>
/// A context-independent library (<c>CUlibrary</c>, CUDA 12): an indexed image from which each context that uses
/// it gets its own module on first use.
/// </summary>
public sealed class Library(FatbinImage image)
{
    public nint Handle { get; internal set; }
    public FatbinImage Image { get; } = image;
    internal Dictionary<Context, Module> ModulesByContext { get; } = new(ReferenceEqualityComparer.Instance);
    internal List<LibraryKernel> Kernels { get; } = new();
}

/// <summary>A kernel of a library by name (<c>CUkernel</c>), valid in every context.</summary>
public sealed class LibraryKernel(Library library, string name)
{
    public nint Handle { get; internal set; }
    public Library Library { get; } = library;
    public string Name { get; } = name;
}
