using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Emulator.Kernels.Engine.Program;

namespace Emulator.Kernels.Engine.Interpreter;

/// <summary>Address resolution for every state space, with bounds and alignment checks before any access.</summary>
sealed unsafe partial class BlockExecutor
{
    /// <summary>Host pointer to <paramref name="size"/> bytes at <paramref name="address"/> in <paramref name="space"/>.</summary>
    byte* Resolve(Warp warp, int lane, Instruction instruction, StateSpace space, AddressBase symbolBase, ulong address, int size, bool write)
    {
        if (size > 1 && (address & (ulong)(size - 1)) != 0)
            throw Fault(warp, lane, instruction, LaunchStatus.MisalignedAddress, $"{space} address 0x{address:x} is not aligned to {size} bytes");
        switch (space)
        {
            case StateSpace.Generic:
                if (AddressWindows.IsShared(address)) return Resolve(warp, lane, instruction, StateSpace.Shared, symbolBase, address - AddressWindows.SharedBase, size, write);
                if (AddressWindows.IsLocal(address)) return Resolve(warp, lane, instruction, StateSpace.Local, symbolBase, address - AddressWindows.LocalBase, size, write);
                goto case StateSpace.Global;
            case StateSpace.Global:
            case StateSpace.Const:
                if (!launch.Global.TryTranslate(address, (ulong)size, write, out nint host))
                    throw Fault(warp, lane, instruction, LaunchStatus.IllegalAddress, $"{(write ? "write to" : "read from")} global address 0x{address:x} ({size} bytes) outside any allocation");
                return (byte*)host;
            case StateSpace.Shared:
                if (address + (ulong)size > (ulong)shared.Length)
                    throw Fault(warp, lane, instruction, LaunchStatus.IllegalAddress, $"shared offset 0x{address:x} ({size} bytes) beyond the block's {shared.Length} bytes");
                return Base(shared) + address;
            case StateSpace.Local:
                if (address + (ulong)size > (ulong)warp.LocalBytesPerLane)
                    throw Fault(warp, lane, instruction, LaunchStatus.IllegalAddress, $"local offset 0x{address:x} beyond the thread's {warp.LocalBytesPerLane} bytes");
                return Base(warp.Local) + lane * warp.LocalBytesPerLane + address;
            case StateSpace.Param:
                if (symbolBase == AddressBase.CallParamSymbol)
                {
                    if (address + (ulong)size > (ulong)warp.CallParamBytesPerLane)
                        throw Fault(warp, lane, instruction, LaunchStatus.IllegalAddress, $"call parameter offset 0x{address:x} out of range");
                    return Base(warp.CallParams) + lane * warp.CallParamBytesPerLane + address;
                }
                if (write || address + (ulong)size > (ulong)launch.Params.Length)
                    throw Fault(warp, lane, instruction, LaunchStatus.IllegalAddress, $"kernel parameter offset 0x{address:x} out of range or written");
                return Base(launch.Params) + address;
            default:
                throw Fault(warp, lane, instruction, LaunchStatus.IllegalInstruction, $"state space {space}");
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static byte* Base(byte[] pinned) => (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(pinned));

    /// <summary>The effective address of an address operand for one lane.</summary>
    ulong EffectiveAddress(Warp warp, in Operand operand, int lane) => operand.Base switch
    {
        AddressBase.Register => warp.Registers[operand.Register * Warp.Size + lane] + (ulong)operand.Offset,
        AddressBase.GlobalSymbol => launch.GlobalSymbolAddress(operand),
        _ => (ulong)operand.Offset,
    };

    static ulong LoadBits(byte* p, int bytes) => bytes switch
    {
        1 => *p,
        2 => *(ushort*)p,
        4 => *(uint*)p,
        _ => *(ulong*)p,
    };

    static void StoreBits(byte* p, int bytes, ulong value)
    {
        switch (bytes)
        {
            case 1: *p = (byte)value; break;
            case 2: *(ushort*)p = (ushort)value; break;
            case 4: *(uint*)p = (uint)value; break;
            default: *(ulong*)p = value; break;
        }
    }

    /// <summary>Reads a NUL-terminated string from a generic address (printf formats and %s arguments).</summary>
    string ReadCString(Warp warp, int lane, Instruction instruction, ulong address)
    {
        var bytes = new List<byte>();
        for (int i = 0; i < 64 * 1024; i++)
        {
            byte b = *Resolve(warp, lane, instruction, StateSpace.Generic, AddressBase.Register, address + (ulong)i, 1, false);
            if (b == 0) break;
            bytes.Add(b);
        }
        return System.Text.Encoding.UTF8.GetString(bytes.ToArray());
    }
}
