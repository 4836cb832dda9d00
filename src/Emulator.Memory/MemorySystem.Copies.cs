namespace Emulator.Memory;

/// <summary>What a copy operand claims to be (CUmemorytype, with UNIFIED for cuMemcpy's "infer from the pointer").</summary>
public enum OperandKind
{
    /// <summary>Host memory: pageable memory of the program, or page-locked/registered memory.</summary>
    Host = 1,
    /// <summary>Memory a device can reach: any region in the allocation table.</summary>
    Device = 2,
    /// <summary>A CUDA array: not held by Emulator.Memory (NotSupported).</summary>
    Array = 3,
    /// <summary>Inferred from the address (unified addressing): in the table → checked, otherwise host.</summary>
    Unified = 4,
}

/// <summary>One side of a 2D/3D copy (the src* or dst* fields of CUDA_MEMCPY2D / CUDA_MEMCPY3D).</summary>
public readonly record struct CopyOperand(OperandKind Kind, ulong Address, ulong Pitch, ulong XInBytes = 0, ulong Y = 0,
    ulong Z = 0, ulong SliceHeight = 0);

/// <summary>
/// Copies and memsets, validated against the allocation table before a byte moves. Device-side operands must
/// lie inside accessible allocations; host-side pointers outside this system's reserved range are the
/// program's own pageable memory and are trusted, as NVIDIA's driver trusts them. A failed check copies nothing.
/// </summary>
public sealed partial class MemorySystem
{
    /// <summary>Largest pitch a 2D/3D copy accepts (CU_DEVICE_ATTRIBUTE_MAX_PITCH).</summary>
    public const ulong MaxPitch = int.MaxValue;

    /// <summary>
    /// cuMemcpy / cuMemcpyHtoD / DtoH / DtoD / HtoH: copies <paramref name="bytes"/> bytes. Overlapping ranges
    /// are copied as by memmove. Zero bytes succeed without touching anything.
    /// </summary>
    public unsafe MemoryStatus Copy(ulong destination, OperandKind destinationKind, ulong source, OperandKind sourceKind, ulong bytes)
    {
        if (bytes == 0) return MemoryStatus.Success;
        var status = CheckOperand(destinationKind, destination, bytes, AccessKind.Write);
        if (status != MemoryStatus.Success) return status;
        status = CheckOperand(sourceKind, source, bytes, AccessKind.Read);
        if (status != MemoryStatus.Success) return status;
        Buffer.MemoryCopy((void*)source, (void*)destination, bytes, bytes);
        return MemoryStatus.Success;
    }

    /// <summary>cuMemcpy with unified addressing: both kinds inferred from the pointers.</summary>
    public MemoryStatus Copy(ulong destination, ulong source, ulong bytes) =>
        Copy(destination, OperandKind.Unified, source, OperandKind.Unified, bytes);

    /// <summary>cuMemcpy2D: <paramref name="height"/> rows of <paramref name="widthInBytes"/>.</summary>
    public MemoryStatus Copy2D(in CopyOperand destination, in CopyOperand source, ulong widthInBytes, ulong height) =>
        Copy3D(destination with { Z = 0, SliceHeight = 0 }, source with { Z = 0, SliceHeight = 0 }, widthInBytes, height, 1);

    /// <summary>
    /// cuMemcpy3D: <paramref name="depth"/> slices of <paramref name="height"/> rows of <paramref name="widthInBytes"/>.
    /// Each side's row r of slice s starts at Address + ((Z+s)·SliceHeight + Y + r)·Pitch + XInBytes. Pitches
    /// must cover the row (Pitch ≥ XInBytes + width) and slice heights the rows (SliceHeight ≥ Y + height).
    /// </summary>
    public unsafe MemoryStatus Copy3D(in CopyOperand destination, in CopyOperand source, ulong widthInBytes, ulong height, ulong depth)
    {
        if (widthInBytes == 0 || height == 0 || depth == 0) return MemoryStatus.Success;
        if (!TrySpan(destination, widthInBytes, height, depth, out ulong dstStart, out ulong dstSpan)
            || !TrySpan(source, widthInBytes, height, depth, out ulong srcStart, out ulong srcSpan))
            return destination.Kind == OperandKind.Array || source.Kind == OperandKind.Array ? MemoryStatus.NotSupported : MemoryStatus.InvalidValue;
        var status = CheckOperand(destination.Kind, dstStart, dstSpan, AccessKind.Write);
        if (status != MemoryStatus.Success) return status;
        status = CheckOperand(source.Kind, srcStart, srcSpan, AccessKind.Read);
        if (status != MemoryStatus.Success) return status;

        ulong dstSlicePitch = depth > 1 ? destination.SliceHeight * destination.Pitch : 0;
        ulong srcSlicePitch = depth > 1 ? source.SliceHeight * source.Pitch : 0;
        for (ulong slice = 0; slice < depth; slice++)
        {
            byte* dstRow = (byte*)(dstStart + slice * dstSlicePitch);
            byte* srcRow = (byte*)(srcStart + slice * srcSlicePitch);
            for (ulong row = 0; row < height; row++, dstRow += destination.Pitch, srcRow += source.Pitch)
                Buffer.MemoryCopy(srcRow, dstRow, widthInBytes, widthInBytes);
        }
        return MemoryStatus.Success;
    }

    /// <summary>cuMemsetD8/D16/D32: <paramref name="count"/> elements of <paramref name="elementSize"/> (1, 2, 4) bytes set to <paramref name="value"/>.</summary>
    public MemoryStatus Memset(ulong destination, uint value, int elementSize, ulong count) =>
        Memset2D(destination, count * (ulong)elementSize, value, elementSize, count, 1, countOverflowed: count > ulong.MaxValue / 4);

    /// <summary>
    /// cuMemsetD2D8/16/32: <paramref name="height"/> rows of <paramref name="width"/> elements, rows
    /// <paramref name="pitch"/> bytes apart. The destination must be device-reachable memory, aligned to the element size.
    /// </summary>
    public MemoryStatus Memset2D(ulong destination, ulong pitch, uint value, int elementSize, ulong width, ulong height) =>
        Memset2D(destination, pitch, value, elementSize, width, height, countOverflowed: width > ulong.MaxValue / 4);

    private unsafe MemoryStatus Memset2D(ulong destination, ulong pitch, uint value, int elementSize, ulong width, ulong height, bool countOverflowed)
    {
        if (elementSize is not (1 or 2 or 4) || countOverflowed) return MemoryStatus.InvalidValue;
        if (width == 0 || height == 0) return MemoryStatus.Success;
        if (elementSize == 1 && value > byte.MaxValue || elementSize == 2 && value > ushort.MaxValue) return MemoryStatus.InvalidValue;
        ulong rowBytes = width * (ulong)elementSize;
        if (destination % (ulong)elementSize != 0 || (height > 1 && (pitch < rowBytes || pitch % (ulong)elementSize != 0)))
            return MemoryStatus.InvalidValue;
        var layout = new CopyOperand(OperandKind.Device, destination, height > 1 ? pitch : rowBytes);
        if (!TrySpan(layout, rowBytes, height, 1, out _, out ulong span)) return MemoryStatus.InvalidValue;
        var status = CheckOperand(OperandKind.Device, destination, span, AccessKind.Write);
        if (status != MemoryStatus.Success) return status;

        for (ulong row = 0; row < height; row++)
            FillRow((byte*)(destination + row * layout.Pitch), value, elementSize, width);
        return MemoryStatus.Success;
    }

    private static unsafe void FillRow(byte* start, uint value, int elementSize, ulong count)
    {
        // Span lengths are ints: fill in chunks.
        const ulong chunk = 1UL << 30;
        for (ulong done = 0; done < count; done += chunk)
        {
            int n = (int)Math.Min(chunk, count - done);
            byte* at = start + done * (ulong)elementSize;
            switch (elementSize)
            {
                case 1: new Span<byte>(at, n).Fill((byte)value); break;
                case 2: new Span<ushort>(at, n).Fill((ushort)value); break;
                default: new Span<uint>(at, n).Fill(value); break;
            }
        }
    }

    /// <summary>First byte and extent of a 2D/3D operand; false for arrays, bad pitches or arithmetic overflow.</summary>
    private static bool TrySpan(in CopyOperand operand, ulong widthInBytes, ulong height, ulong depth, out ulong start, out ulong span)
    {
        start = span = 0;
        if (operand.Kind is not (OperandKind.Host or OperandKind.Device or OperandKind.Unified)) return false;
        bool multiRow = height > 1 || depth > 1;
        if (multiRow && (operand.Pitch > MaxPitch || operand.Pitch < widthInBytes || operand.Pitch - widthInBytes < operand.XInBytes))
            return false;
        if (depth > 1 && (operand.SliceHeight < height || operand.SliceHeight - height < operand.Y)) return false;
        try
        {
            checked
            {
                ulong firstRow = operand.Z * operand.SliceHeight + operand.Y;
                start = operand.Address + firstRow * operand.Pitch + operand.XInBytes;
                ulong lastRow = (depth - 1) * operand.SliceHeight + (height - 1);
                span = lastRow * operand.Pitch + widthInBytes;
                _ = start + span;
            }
            return true;
        }
        catch (OverflowException)
        {
            return false;
        }
    }

    /// <summary>Validates one operand range: device-side ranges must resolve; host-side ones only if they claim our space.</summary>
    private MemoryStatus CheckOperand(OperandKind kind, ulong address, ulong length, AccessKind access)
    {
        if (address == 0) return MemoryStatus.InvalidValue;
        switch (kind)
        {
            case OperandKind.Device:
                return Table.TryResolve(address, length, access, -1, out _) ? MemoryStatus.Success : MemoryStatus.InvalidValue;
            case OperandKind.Host:
            case OperandKind.Unified:
                if (length > ulong.MaxValue - address) return MemoryStatus.InvalidValue;
                if (Table.TryResolve(address, length, access, -1, out _)) return MemoryStatus.Success;
                // Outside our range and not registered: the program's pageable memory, which cannot be checked.
                bool touchesOurSpace = AddressSpace.Contains(address, 1) || AddressSpace.Contains(address + length - 1, 1)
                    || (address < AddressSpace.Base && address + length > AddressSpace.End);
                return touchesOurSpace || Table.AnyOverlapping(address, length) ? MemoryStatus.InvalidValue : MemoryStatus.Success;
            case OperandKind.Array:
                return MemoryStatus.NotSupported;
            default:
                return MemoryStatus.InvalidValue;
        }
    }
}
