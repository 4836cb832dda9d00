using System.Runtime.InteropServices;

namespace Emulator.Driver;

/// <summary>CUDA's <c>dim3</c>: passed by value across the C ABI (12 bytes, three unsigned ints).</summary>
[StructLayout(LayoutKind.Sequential)]
public readonly record struct Dim3(uint X, uint Y, uint Z)
{
    public ulong Volume => (ulong)X * Y * Z;
    public override string ToString() => $"({X},{Y},{Z})";
}
