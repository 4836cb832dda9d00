using System.Numerics;
using Emulator.Kernels.Engine.Program;

namespace Emulator.Kernels.Engine.Interpreter;

/// <summary>Instructions that exchange data between the lanes of a warp.</summary>
sealed unsafe partial class BlockExecutor
{
    /// <summary>
    /// shfl.sync.{up,down,bfly,idx}.b32 d|p, a, b, c, membermask — the ISA's pseudo-code: c packs the clamp
    /// lane (bits 4:0) and the segment mask (bits 12:8); an out-of-range source reads the lane's own value and
    /// clears p. A source lane that is not active yields its current register value.
    /// </summary>
    void ExecuteShuffle(Warp warp, Instruction ins, uint enabled)
    {
        var ops = ins.Operands;
        Span<ulong> source = stackalloc ulong[Warp.Size];
        for (int lane = 0; lane < Warp.Size; lane++)
            source[lane] = ops[1].Kind == OperandKind.Register ? warp.Registers[ops[1].Register * Warp.Size + lane] : Read(warp, ops[1], lane);
        for (uint m = enabled; m != 0; m &= m - 1)
        {
            int lane = BitOperations.TrailingZeroCount(m);
            int b = (int)(Read(warp, ops[2], lane) & 0x1f);
            uint c = (uint)Read(warp, ops[3], lane);
            int clamp = (int)(c & 0x1f);
            int segmentMask = (int)((c >> 8) & 0x1f);
            int maxLane = (lane & segmentMask) | (clamp & ~segmentMask);
            int minLane = lane & segmentMask;
            int j;
            bool inRange;
            switch (ins.SubOp)
            {
                case "up": j = lane - b; inRange = j >= maxLane; break;
                case "down": j = lane + b; inRange = j <= maxLane; break;
                case "bfly": j = lane ^ b; inRange = j <= maxLane; break;
                default: j = minLane | (b & ~segmentMask); inRange = j <= maxLane; break;
            }
            if (!inRange) j = lane;
            WriteRegister(warp, ops[0], lane, source[j] & 0xffffffff);
            if (ins.PredicateDestination >= 0)
                warp.Registers[ins.PredicateDestination * Warp.Size + lane] = inRange ? 1UL : 0;
        }
    }

    /// <summary>vote.sync.{all,any,uni,ballot}: over the executing lanes (which the membermask must cover).</summary>
    void ExecuteVote(Warp warp, Instruction ins, uint enabled)
    {
        var ops = ins.Operands;
        uint ballot = 0;
        for (uint m = enabled; m != 0; m &= m - 1)
        {
            int lane = BitOperations.TrailingZeroCount(m);
            if (Read(warp, ops[1], lane) != 0) ballot |= 1u << lane;
        }
        ulong result = ins.SubOp switch
        {
            "all" => ballot == enabled ? 1UL : 0,
            "any" => ballot != 0 ? 1UL : 0,
            "uni" => ballot == 0 || ballot == enabled ? 1UL : 0,
            _ => ballot,
        };
        for (uint m = enabled; m != 0; m &= m - 1)
            WriteRegister(warp, ops[0], BitOperations.TrailingZeroCount(m), result);
    }

    /// <summary>redux.sync.{add,min,max,and,or,xor}.{s32,u32,b32}.</summary>
    void ExecuteRedux(Warp warp, Instruction ins, uint enabled)
    {
        var ops = ins.Operands;
        bool signed = ins.Type.IsSigned();
        long accumulator = ins.SubOp switch { "and" => -1, "min" => signed ? int.MaxValue : uint.MaxValue, "max" => signed ? int.MinValue : 0, _ => 0 };
        for (uint m = enabled; m != 0; m &= m - 1)
        {
            int lane = BitOperations.TrailingZeroCount(m);
            uint raw = (uint)Read(warp, ops[1], lane);
            long value = signed ? (int)raw : raw;
            accumulator = ins.SubOp switch
            {
                "add" => accumulator + value,
                "min" => Math.Min(accumulator, value),
                "max" => Math.Max(accumulator, value),
                "and" => accumulator & value,
                "or" => accumulator | value,
                _ => accumulator ^ value,
            };
        }
        for (uint m = enabled; m != 0; m &= m - 1)
            WriteRegister(warp, ops[0], BitOperations.TrailingZeroCount(m), (ulong)accumulator & 0xffffffff);
    }
}
