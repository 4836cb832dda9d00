using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Emulator.Kernels.Engine.Semantics;

/// <summary>
/// Every f16 value widened to f32 (exact: f32 holds every f16), one load instead of a software conversion. Equal to
/// the format decoder (<see cref="Conversions.HalfToSingle"/>) for every encoding except NaNs, which keep their
/// payload here: callers produce canonical NaNs from NaN inputs anyway.
/// </summary>
public static class HalfTable
{
    static readonly float[] singles = Build();

    static float[] Build()
    {
        // Pinned: vector code gathers from it by address.
        var table = GC.AllocateArray<float>(65536, pinned: true);
        for (int bits = 0; bits < table.Length; bits++) table[bits] = (float)BitConverter.UInt16BitsToHalf((ushort)bits);
        return table;
    }

    /// <summary>The table's first element (it never moves).</summary>
    internal static unsafe float* Pointer => (float*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(singles));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float ToSingle(ushort bits) => Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(singles), bits);
}
