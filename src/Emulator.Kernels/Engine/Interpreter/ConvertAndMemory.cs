using System.Numerics;
using Emulator.Kernels.Engine.Program;
using Emulator.Kernels.Engine.Semantics;

namespace Emulator.Kernels.Engine.Interpreter;

/// <summary>cvt, ld/st, atomics, cp.async and device printf.</summary>
sealed unsafe partial class BlockExecutor
{
    ulong Convert(Warp warp, Instruction ins, int lane)
    {
        var destination = ins.Type;
        var source = ins.SourceType;
        var ops = ins.Operands;
        ulong a = Read(warp, ops[1], lane);
        var mode = ins.Rounding;

        // Packed destinations take two sources: the first goes to the upper half.
        if (destination == ScalarType.F16x2 && source == ScalarType.F32)
            return Conversions.SinglesToHalf2(InF32(a, ins.Ftz), InF32(Read(warp, ops[2], lane), ins.Ftz), mode);
        if (destination == ScalarType.BF16x2 && source == ScalarType.F32)
            return Conversions.SinglesToBFloat16x2(InF32(a, ins.Ftz), InF32(Read(warp, ops[2], lane), ins.Ftz), mode);
        if (destination == ScalarType.E4M3x2 && source == ScalarType.F32)
            return Conversions.SinglesToE4M3x2(F32(a), F32(Read(warp, ops[2], lane)));
        if (destination == ScalarType.F16x2 && source == ScalarType.E4M3x2)
            return Conversions.E4M3x2ToHalf2((ushort)a);

        int sourceBits = source.Bits(), destinationBits = destination.Bits();
        if (!source.IsFloat() && !destination.IsFloat())
        {
            long signedValue = source.IsSigned() ? Signed(a, sourceBits) : (long)(a & Mask(sourceBits));
            bool huge = !source.IsSigned() && sourceBits == 64 && (long)a < 0;
            if (ins.Saturate)
            {
                if (destination.IsSigned())
                {
                    long max = destinationBits == 64 ? long.MaxValue : (1L << (destinationBits - 1)) - 1;
                    long min = destinationBits == 64 ? long.MinValue : -(1L << (destinationBits - 1));
                    signedValue = huge ? max : Math.Clamp(signedValue, min, max);
                }
                else if (!huge)
                {
                    ulong max = Mask(destinationBits);
                    signedValue = signedValue < 0 ? 0 : (ulong)signedValue > max ? (long)max : signedValue;
                }
            }
            return ExtendToRegister(ops[0], (ulong)signedValue & Mask(destinationBits), destination);
        }

        if (!source.IsFloat())
        {
            bool negative = source.IsSigned() && Signed(a, sourceBits) < 0;
            ulong magnitude = source.IsSigned() ? (ulong)Math.Abs(Signed(a, sourceBits) + (negative ? 1 : 0)) + (negative ? 1UL : 0) : a & Mask(sourceBits);
            switch (destination)
            {
                case ScalarType.F32:
                    return OutF32(Conversions.IntegerToSingle(magnitude, negative, mode), ins.Ftz, ins.Saturate);
                case ScalarType.F64:
                    return OutF64(Conversions.IntegerToDouble(magnitude, negative, mode), ins.Saturate);
                case ScalarType.F16:
                case ScalarType.BF16:
                {
                    var format = destination == ScalarType.F16 ? Conversions.Half : Conversions.BFloat16;
                    // Below 2^53 the integer is an exact double, so RoundToFormat rounds it once.
                    if (magnitude >= 1UL << 53 && destination == ScalarType.BF16)
                        throw Fault(warp, lane, ins, LaunchStatus.IllegalInstruction, $"bf16 conversion of integers ≥ 2^53 is not implemented: '{ins.Text}'");
                    // f16 overflows long before 2^53: clamping there keeps the overflow result identical.
                    double value = Math.Min(magnitude, 1UL << 53) * (negative ? -1.0 : 1.0);
                    if (ins.Saturate) value = Math.Clamp(value, 0, 1);
                    return Conversions.Encode(Conversions.RoundToFormat(value, format, mode, false), format);
                }
            }
            throw Fault(warp, lane, ins, LaunchStatus.IllegalInstruction, $"unsupported conversion '{ins.Text}'");
        }

        double input = source switch
        {
            ScalarType.F32 => InF32(a, ins.Ftz),
            ScalarType.F64 => F64(a),
            ScalarType.F16 => Conversions.HalfToSingle((ushort)a),
            ScalarType.BF16 => Conversions.BFloat16ToSingle((ushort)a),
            _ => throw Fault(warp, lane, ins, LaunchStatus.IllegalInstruction, $"unsupported conversion '{ins.Text}'"),
        };

        if (!destination.IsFloat())
        {
            if (!ins.HasRounding)
                throw Fault(warp, lane, ins, LaunchStatus.IllegalInstruction, $"float-to-integer cvt needs a rounding modifier: '{ins.Text}'");
            return ExtendToRegister(ops[0], Conversions.FloatToInteger(input, mode, destinationBits, destination.IsSigned()), destination);
        }

        if (ins.RoundToIntegral) input = Conversions.RoundToIntegral(input, mode);
        if (ins.Saturate) input = double.IsNaN(input) || input <= 0 ? 0.0 : Math.Min(input, 1.0);
        switch (destination)
        {
            case ScalarType.F32:
                return OutF32(ins.RoundToIntegral || source != ScalarType.F64 ? (float)input : Conversions.DoubleToSingle(input, mode), ins.Ftz, false);
            case ScalarType.F64:
                return OutF64(input, false);
            case ScalarType.F16:
                return Conversions.Encode(Conversions.RoundToFormat(input, Conversions.Half, mode, false), Conversions.Half);
            case ScalarType.BF16:
                return Conversions.Encode(Conversions.RoundToFormat(input, Conversions.BFloat16, mode, false), Conversions.BFloat16);
            case ScalarType.TF32:
                return Conversions.SingleToTf32((float)input, mode);
        }
        throw Fault(warp, lane, ins, LaunchStatus.IllegalInstruction, $"unsupported conversion '{ins.Text}'");
    }

    /// <summary>A narrower signed result written to a wider register is sign-extended (cvt, ld).</summary>
    ulong ExtendToRegister(in Operand destination, ulong value, ScalarType type)
    {
        if (destination.Kind != OperandKind.Register || !type.IsSigned()) return value;
        return (ulong)Signed(value, type.Bits());
    }

    void ExecuteLoad(Warp warp, Instruction ins, int lane)
    {
        var destination = ins.Operands[0];
        var address = ins.Operands[1];
        int elementBytes = Math.Max(ins.Type.Bits() / 8, 1);
        int count = ins.VectorWidth;
        ulong effective = EffectiveAddress(warp, address, lane);
        byte* p = Resolve(warp, lane, ins, ins.Space, address.Base, effective, elementBytes * count, false);
        if (count == 1)
        {
            WriteRegister(warp, destination, lane, ExtendToRegister(destination, LoadBits(p, elementBytes), ins.Type));
            return;
        }
        var elements = destination.Elements!;
        for (int i = 0; i < count; i++)
            WriteRegister(warp, elements[i], lane, ExtendToRegister(elements[i], LoadBits(p + i * elementBytes, elementBytes), ins.Type));
    }

    void ExecuteStore(Warp warp, Instruction ins, int lane)
    {
        var address = ins.Operands[0];
        var source = ins.Operands[1];
        int elementBytes = Math.Max(ins.Type.Bits() / 8, 1);
        int count = ins.VectorWidth;
        ulong effective = EffectiveAddress(warp, address, lane);
        byte* p = Resolve(warp, lane, ins, ins.Space, address.Base, effective, elementBytes * count, true);
        if (count == 1)
        {
            StoreBits(p, elementBytes, Read(warp, source, lane));
            return;
        }
        var elements = source.Elements!;
        for (int i = 0; i < count; i++)
            StoreBits(p + i * elementBytes, elementBytes, Read(warp, elements[i], lane));
    }

    /// <summary>atom/red: lanes apply their operation one after another in lane order (deterministic).</summary>
    void ExecuteAtomic(Warp warp, Instruction ins, int lane)
    {
        bool returnsValue = ins.Opcode == Opcode.Atom;
        var ops = ins.Operands;
        var address = returnsValue ? ops[1] : ops[0];
        ulong b = Read(warp, returnsValue ? ops[2] : ops[1], lane);
        int bytes = Math.Max(ins.Type.Bits() / 8, 1);
        ulong effective = EffectiveAddress(warp, address, lane);
        byte* p = Resolve(warp, lane, ins, ins.Space, address.Base, effective, bytes, true);
        ulong old = LoadBits(p, bytes);
        int bits = bytes * 8;
        var type = ins.Type;
        ulong updated = ins.SubOp switch
        {
            "add" when type == ScalarType.F32 => Bits(F32(old) + F32(b)),
            "add" when type == ScalarType.F64 => Bits(F64(old) + F64(b)),
            "add" when type == ScalarType.F16 => HalfOps.Apply((ushort)old, (ushort)b, HalfOps.Operation.Add, RoundingMode.NearestEven, false, false),
            "add" => old + b,
            "exch" => b,
            "cas" => old == (b & Mask(bits)) ? Read(warp, ops[3], lane) : old,
            "and" => old & b,
            "or" => old | b,
            "xor" => old ^ b,
            "min" when type == ScalarType.F32 => Bits(FloatRounding.Min(F32(old), F32(b))),
            "max" when type == ScalarType.F32 => Bits(FloatRounding.Max(F32(old), F32(b))),
            "min" => type.IsSigned() ? (ulong)Math.Min(Signed(old, bits), Signed(b, bits)) : Math.Min(old, b & Mask(bits)),
            "max" => type.IsSigned() ? (ulong)Math.Max(Signed(old, bits), Signed(b, bits)) : Math.Max(old, b & Mask(bits)),
            "inc" => old >= (b & Mask(bits)) ? 0 : old + 1,
            "dec" => old == 0 || old > (b & Mask(bits)) ? b : old - 1,
            _ => throw Fault(warp, lane, ins, LaunchStatus.IllegalInstruction, $"unsupported atomic '{ins.Text}'"),
        };
        StoreBits(p, bytes, updated & Mask(bits));
        if (returnsValue) WriteRegister(warp, ops[0], lane, old);
    }

    /// <summary>
    /// cp.async.{ca,cg}.shared.global [dst], [src], cp-size{, src-size}: copied at issue. A program may only
    /// read the destination after cp.async.wait_*, so completing early is indistinguishable.
    /// Bytes past src-size are zero-filled.
    /// </summary>
    void ExecuteCpAsync(Warp warp, Instruction ins, int lane)
    {
        var ops = ins.Operands;
        int copyBytes = (int)Read(warp, ops[2], lane);
        int sourceBytes = ops.Length > 3 ? (int)Math.Min(Read(warp, ops[3], lane), (ulong)copyBytes) : copyBytes;
        byte* destination = Resolve(warp, lane, ins, StateSpace.Shared, ops[0].Base, EffectiveAddress(warp, ops[0], lane), copyBytes, true);
        if (sourceBytes > 0)
        {
            byte* source = Resolve(warp, lane, ins, StateSpace.Global, ops[1].Base, EffectiveAddress(warp, ops[1], lane), sourceBytes, false);
            Buffer.MemoryCopy(source, destination, copyBytes, sourceBytes);
        }
        new Span<byte>(destination + sourceBytes, copyBytes - sourceBytes).Clear();
    }

    /// <summary>call.uni (retval), vprintf, (format, args): format like the device printf into the block's output (delivered in block order).</summary>
    void ExecuteVprintf(Warp warp, Instruction ins, int lane)
    {
        var ops = ins.Operands;
        ulong ReadCallParam(in Operand operand)
        {
            if (operand.Kind == OperandKind.Address)
                return LoadBits(Resolve(warp, lane, ins, StateSpace.Param, operand.Base, EffectiveAddress(warp, operand, lane), 8, false), 8);
            return Read(warp, operand, lane);
        }
        ulong format = ReadCallParam(ops[1]);
        ulong arguments = ReadCallParam(ops[2]);
        string text = DevicePrintf.Format(ReadCString(warp, lane, ins, format), new DevicePrintf.ArgumentReader(
            (offset, size) => LoadBits(Resolve(warp, lane, ins, StateSpace.Generic, AddressBase.Register, arguments + (ulong)offset, size, false), size),
            address => ReadCString(warp, lane, ins, address)), out int written);
        PrintedText.Add(text);
        if (ops[0].Kind == OperandKind.Address)
            StoreBits(Resolve(warp, lane, ins, StateSpace.Param, ops[0].Base, EffectiveAddress(warp, ops[0], lane), 4, true), 4, (uint)written);
        else if (ops[0].Kind == OperandKind.Register)
            WriteRegister(warp, ops[0], lane, (uint)written);
    }
}
