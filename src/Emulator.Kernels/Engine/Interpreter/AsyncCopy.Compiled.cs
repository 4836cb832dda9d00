using System.Numerics;
using Emulator.Kernels.Engine.Program;

namespace Emulator.Kernels.Engine.Interpreter;

/// <summary>
/// The compiled tier's cp.async (global → shared, 4/8/16 bytes per lane, the interpreter copies at once): lanes in
/// order, each checked against the block's shared bytes and the cached global region; a lane either check does not
/// vouch for runs the interpreter's <c>ExecuteCpAsync</c>, which copies or faults exactly as the reference does.
/// </summary>
sealed unsafe partial class BlockExecutor
{
    internal void CompiledCpAsync(Warp warp, ulong* r, int pc, uint enabled)
    {
        var ins = code[pc];
        var ops = ins.Operands;
        if (ops.Length < 3 || ops[0].Kind != OperandKind.Address || ops[1].Kind != OperandKind.Address
            || ops[0].Base is not (AddressBase.Register or AddressBase.SharedSymbol or AddressBase.None)
            || ops[1].Base is not (AddressBase.Register or AddressBase.None))
        {
            ExecuteInterpreted(warp, pc, enabled);
            return;
        }
        warp.Pc = pc;
        byte* sharedBytes = Base(shared);
        ulong sharedLength = (ulong)shared.Length;
        for (uint m = enabled; m != 0; m &= m - 1)
        {
            int lane = BitOperations.TrailingZeroCount(m);
            int copyBytes = (int)Read(warp, ops[2], lane);
            int sourceBytes = ops.Length > 3 ? (int)Math.Min(Read(warp, ops[3], lane), (ulong)copyBytes) : copyBytes;
            ulong target = (ops[0].Base == AddressBase.Register ? r[ops[0].Register * Warp.Size + lane] : 0) + (ulong)ops[0].Offset;
            ulong source = (ops[1].Base == AddressBase.Register ? r[ops[1].Register * Warp.Size + lane] : 0) + (ulong)ops[1].Offset;
            bool fast = copyBytes is 4 or 8 or 16 && sourceBytes == copyBytes
                && (target & (ulong)(copyBytes - 1)) == 0 && target < sharedLength && sharedLength - target >= (ulong)copyBytes
                && (source & (ulong)(copyBytes - 1)) == 0 && source - readRegionStart < readRegionLength && readRegionLength - (source - readRegionStart) >= (ulong)copyBytes;
            if (!fast)
            {
                // The interpreter's lane (it resolves, copies or faults); its region then serves the next lanes.
                ExecuteCpAsync(warp, ins, lane);
                if (sourceBytes > 0 && launch.Global.TryGetRegion(source, false, out ulong start, out ulong length))
                    (readRegionStart, readRegionLength) = (start, length);
                continue;
            }
            Buffer.MemoryCopy((byte*)source, sharedBytes + target, copyBytes, copyBytes);
        }
    }
}
