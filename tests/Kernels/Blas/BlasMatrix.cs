using Emulator.Kernels.Blas;

namespace Emulator.Tests.Kernels.Blas;

/// <summary>A column-major test matrix stored in one of GEMM's element types, with explicit leading dimension.</summary>
internal sealed class BlasMatrix
{
    public BlasMatrix(BlasDataType type, int rows, int cols, int ld)
    {
        Type = type;
        Rows = rows;
        Cols = cols;
        Ld = ld;
        Storage = new byte[Math.Max(1, (long)ld * Math.Max(cols, 1)) * ElementSize];
    }

    public BlasDataType Type { get; }
    public int Rows { get; }
    public int Cols { get; }
    public int Ld { get; }
    public byte[] Storage { get; }
    public int ElementSize => Type == BlasDataType.R32F ? 4 : 2;

    public float this[int row, int col]
    {
        get => GetRaw((long)col * Ld + row);
        set => SetRaw((long)col * Ld + row, value);
    }

    public float GetRaw(long index) => Type switch
    {
        BlasDataType.R32F => BitConverter.ToSingle(Storage, (int)(index * 4)),
        BlasDataType.R16F => (float)BitConverter.ToHalf(Storage, (int)(index * 2)),
        _ => BitConverter.UInt32BitsToSingle((uint)BitConverter.ToUInt16(Storage, (int)(index * 2)) << 16),
    };

    public void SetRaw(long index, float value)
    {
        switch (Type)
        {
            case BlasDataType.R32F: BitConverter.TryWriteBytes(Storage.AsSpan((int)(index * 4)), value); break;
            case BlasDataType.R16F: BitConverter.TryWriteBytes(Storage.AsSpan((int)(index * 2)), (Half)value); break;
            default: BitConverter.TryWriteBytes(Storage.AsSpan((int)(index * 2)), Rounding.SingleToBFloat16Bits(value)); break;
        }
    }

    /// <summary>Random entries in [-1, 1); everything outside rows×cols (the ld padding) holds <paramref name="padding"/>.</summary>
    public static BlasMatrix Random(BlasDataType type, int rows, int cols, int ld, Random random, float padding = float.NaN)
    {
        var matrix = new BlasMatrix(type, rows, cols, ld);
        long total = matrix.Storage.Length / matrix.ElementSize;
        for (long index = 0; index < total; index++)
        {
            long row = index % ld;
            long col = index / ld;
            matrix.SetRaw(index, row < rows && col < cols ? (float)(random.NextDouble() * 2 - 1) : padding);
        }
        return matrix;
    }

    public BlasMatrix Clone()
    {
        var copy = new BlasMatrix(Type, Rows, Cols, Ld);
        Storage.CopyTo(copy.Storage, 0);
        return copy;
    }

    /// <summary>Bit-level equality of all storage, padding included.</summary>
    public void ShouldBeBitIdenticalTo(BlasMatrix expected, string context = "")
    {
        for (int index = 0; index < Storage.Length / ElementSize; index++)
        {
            uint actualBits = ElementSize == 4 ? BitConverter.ToUInt32(Storage, index * 4) : BitConverter.ToUInt16(Storage, index * 2);
            uint expectedBits = ElementSize == 4 ? BitConverter.ToUInt32(expected.Storage, index * 4) : BitConverter.ToUInt16(expected.Storage, index * 2);
            if (actualBits != expectedBits)
                throw new Xunit.Sdk.XunitException(
                    $"{context}: element {index} (row {index % Ld}, col {index / Ld}) is {GetRaw(index)} (0x{actualBits:X}), expected {expected.GetRaw(index)} (0x{expectedBits:X})");
        }
    }
}
