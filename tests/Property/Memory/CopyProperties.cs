using Emulator.Memory;
using FsCheck;
using FsCheck.Fluent;

namespace Emulator.Tests.Property.Memory;

/// <summary>
/// Random 1D/2D copies and 8/16/32-bit memsets (plain and 2D) between two device allocations, a page-locked
/// host allocation and a plain pageable host array, against byte-array models. An operation whose
/// checked side leaves its allocation must fail with InvalidValue and change no byte anywhere; a valid one
/// must change exactly the bytes the model changes.
/// </summary>
public sealed unsafe class CopyProperties
{
    private static readonly int[] Sizes = [5000, 3000, 4000, 6000];
    private const int Pageable = 3; // buffer index of the program's own (unregistered) host memory

    public abstract record CopyOp;
    public sealed record Copy1D(int Dst, int DstOffset, OperandKind DstKind, int Src, int SrcOffset, OperandKind SrcKind, int Length) : CopyOp;
    public sealed record Copy2D(int Dst, int DstOffset, int DstPitch, int DstX, int DstY, int Src, int SrcOffset, int SrcPitch, int SrcX, int SrcY,
        int Width, int Height) : CopyOp;
    public sealed record Fill(int Dst, int Offset, int ElementSize, int Count, uint Value, int Pitch, int Height) : CopyOp;

    private static Gen<int> Buffer => Gen.Choose(0, 3);
    private static Gen<int> Offset => Gen.Frequency((6, Gen.Choose(0, 3000)), (1, Gen.Choose(3000, 6500)));
    private static Gen<OperandKind> Kind => Gen.Elements(OperandKind.Host, OperandKind.Device, OperandKind.Unified, OperandKind.Unified);

    private static Gen<CopyOp> OpGen => Gen.Frequency(
        (3, from dst in Buffer from dstOffset in Offset from dstKind in Kind from src in Buffer from srcOffset in Offset
            from srcKind in Kind from length in Gen.Frequency((6, Gen.Choose(0, 1500)), (1, Gen.Choose(1500, 7000)))
            select (CopyOp)new Copy1D(dst, dstOffset, dstKind, src, srcOffset, srcKind, length)),
        (3, from dst in Buffer from src in Buffer.Where(s => s != dst) from dstOffset in Gen.Choose(0, 1000) from srcOffset in Gen.Choose(0, 1000)
            from dstPitch in Gen.Choose(0, 400) from srcPitch in Gen.Choose(0, 400) from dstX in Gen.Choose(0, 64) from srcX in Gen.Choose(0, 64)
            from dstY in Gen.Choose(0, 5) from srcY in Gen.Choose(0, 5) from width in Gen.Choose(0, 300) from height in Gen.Choose(0, 14)
            select (CopyOp)new Copy2D(dst, dstOffset, dstPitch, dstX, dstY, src, srcOffset, srcPitch, srcX, srcY, width, height)),
        (3, from dst in Buffer from offset in Offset from element in Gen.Elements(1, 2, 4, 3) from count in Gen.Choose(0, 900)
            from value in Gen.Choose(0, int.MaxValue) from wide in Gen.Elements(false, true)
            from pitch in Gen.Choose(0, 600) from height in Gen.Choose(1, 6)
            select (CopyOp)new Fill(dst, offset, element, count, (uint)value, wide ? pitch : 0, wide ? height : 1)));

    private static void RunAgainstModel(IReadOnlyList<CopyOp> ops)
    {
        using var memory = MemorySystem.CreatePrivate([1UL << 24]);
        var addresses = new ulong[Sizes.Length];
        memory.Allocate(0, (ulong)Sizes[0], out addresses[0]).ShouldBe(MemoryStatus.Success);
        memory.Allocate(0, (ulong)Sizes[1], out addresses[1]).ShouldBe(MemoryStatus.Success);
        memory.AllocateHost((ulong)Sizes[2], HostAllocFlags.Portable, out addresses[2]).ShouldBe(MemoryStatus.Success);
        var pageable = GC.AllocateArray<byte>(Sizes[Pageable], pinned: true);
        fixed (byte* pageableAddress = pageable) addresses[Pageable] = (ulong)pageableAddress;

        var model = Sizes.Select(size => new byte[size]).ToArray();
        var random = new Random(12345); // fixed: seeds the initial contents only
        for (int b = 0; b < model.Length; b++)
        {
            random.NextBytes(model[b]);
            model[b].CopyTo(Actual(b));
        }

        foreach (var op in ops)
        {
            MemoryStatus expected, actual;
            switch (op)
            {
                case Copy1D c:
                {
                    bool ok = c.Length == 0 || (OperandOk(c.Dst, c.DstKind, c.DstOffset, c.Length) && OperandOk(c.Src, c.SrcKind, c.SrcOffset, c.Length));
                    expected = ok ? MemoryStatus.Success : MemoryStatus.InvalidValue;
                    actual = memory.Copy(addresses[c.Dst] + (ulong)c.DstOffset, c.DstKind, addresses[c.Src] + (ulong)c.SrcOffset, c.SrcKind, (ulong)c.Length);
                    // A zero-length copy succeeds whatever its offsets, and the model has nothing to copy.
                    if (ok && c.Length > 0) Array.Copy(model[c.Src], c.SrcOffset, model[c.Dst], c.DstOffset, c.Length);
                    break;
                }
                case Copy2D c:
                {
                    bool empty = c.Width == 0 || c.Height == 0;
                    bool ok = empty || (Side2DOk(c.Dst, c.DstOffset, c.DstPitch, c.DstX, c.DstY, c.Width, c.Height)
                                        && Side2DOk(c.Src, c.SrcOffset, c.SrcPitch, c.SrcX, c.SrcY, c.Width, c.Height));
                    expected = ok ? MemoryStatus.Success : MemoryStatus.InvalidValue;
                    actual = memory.Copy2D(
                        new CopyOperand(OperandKind.Unified, addresses[c.Dst] + (ulong)c.DstOffset, (ulong)c.DstPitch, (ulong)c.DstX, (ulong)c.DstY),
                        new CopyOperand(OperandKind.Unified, addresses[c.Src] + (ulong)c.SrcOffset, (ulong)c.SrcPitch, (ulong)c.SrcX, (ulong)c.SrcY),
                        (ulong)c.Width, (ulong)c.Height);
                    if (ok && !empty)
                        for (int row = 0; row < c.Height; row++)
                            Array.Copy(model[c.Src], c.SrcOffset + (c.SrcY + row) * c.SrcPitch + c.SrcX,
                                model[c.Dst], c.DstOffset + (c.DstY + row) * c.DstPitch + c.DstX, c.Width);
                    break;
                }
                case Fill f:
                {
                    int rowBytes = f.Count * f.ElementSize;
                    uint value = f.ElementSize switch { 1 => f.Value & 0xff, 2 => f.Value & 0xffff, _ => f.Value };
                    bool empty = f.Count == 0;
                    bool shapeOk = f.ElementSize is 1 or 2 or 4 && (addresses[f.Dst] + (ulong)f.Offset) % (ulong)f.ElementSize == 0
                        && (f.Height == 1 || (f.Pitch >= rowBytes && f.Pitch % f.ElementSize == 0));
                    bool inside = f.Dst != Pageable && f.Offset + (f.Height - 1) * f.Pitch + rowBytes <= Sizes[f.Dst];
                    expected = f.ElementSize == 3 ? MemoryStatus.InvalidValue
                        : empty ? MemoryStatus.Success
                        : shapeOk && inside ? MemoryStatus.Success : MemoryStatus.InvalidValue;
                    ulong address = addresses[f.Dst] + (ulong)f.Offset;
                    actual = f.Height == 1 && f.Pitch == 0
                        ? memory.Memset(address, value, f.ElementSize, (ulong)f.Count)
                        : memory.Memset2D(address, (ulong)f.Pitch, value, f.ElementSize, (ulong)f.Count, (ulong)f.Height);
                    if (expected == MemoryStatus.Success && !empty)
                        for (int row = 0; row < f.Height; row++)
                            for (int i = 0; i < rowBytes; i++)
                                model[f.Dst][f.Offset + row * f.Pitch + i] = (byte)(value >> (8 * (i % f.ElementSize)));
                    break;
                }
                default:
                    throw new InvalidOperationException();
            }
            actual.ShouldBe(expected, op.ToString());
            for (int b = 0; b < model.Length; b++)
                Actual(b).SequenceEqual(model[b]).ShouldBeTrue($"buffer {b} differs from the model after {op}");
        }

        Span<byte> Actual(int buffer) => new((void*)addresses[buffer], Sizes[buffer]);

        // The pageable buffer cannot be checked by anyone; the generator keeps its ranges valid where it is
        // a host operand, and claiming it as device memory must fail.
        bool OperandOk(int buffer, OperandKind kind, int offset, int length) =>
            buffer == Pageable ? kind != OperandKind.Device && offset + length <= Sizes[buffer] : offset + length <= Sizes[buffer];

        bool Side2DOk(int buffer, int offset, int pitch, int x, int y, int width, int height)
        {
            if (height > 1 && pitch < x + width) return false;
            return offset + (y + height - 1) * pitch + x + width <= Sizes[buffer];
        }
    }

    private static bool PageableRangesStayInside(CopyOp op) => op switch
    {
        Copy1D c => (c.Dst != Pageable || c.DstKind == OperandKind.Device || c.DstOffset + c.Length <= Sizes[Pageable])
                    && (c.Src != Pageable || c.SrcKind == OperandKind.Device || c.SrcOffset + c.Length <= Sizes[Pageable]),
        Copy2D c => (c.Dst != Pageable || c.DstOffset + (c.DstY + c.Height) * Math.Max(c.DstPitch, c.DstX + c.Width) <= Sizes[Pageable])
                    && (c.Src != Pageable || c.SrcOffset + (c.SrcY + c.Height) * Math.Max(c.SrcPitch, c.SrcX + c.Width) <= Sizes[Pageable]),
        _ => true,
    };

    [Fact]
    public void Copies_and_memsets_match_byte_array_model()
    {
        var ops = Gen.ListOf(OpGen.Where(PageableRangesStayInside));
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(200), Prop.ForAll(ops.ToArbitrary(), (List<CopyOp> list) => { RunAgainstModel(list); }));
    }
}
