namespace Emulator.Kernels.Engine.Program;

/// <summary>
/// Which registers may still be read later, per instruction, over every thread's own path through the kernel
/// (classic backward dataflow on the instruction graph). Conservative by construction: every register operand an
/// instruction names counts as read unless the instruction is known to overwrite it unconditionally, and branches
/// keep both successors when guarded. Registers that other lanes read through warp collectives (shfl, vote, mma…)
/// are live everywhere: a lane's value can be read while that lane is elsewhere in the program (or has exited).
/// </summary>
public sealed class RegisterLiveness
{
    readonly int words;
    readonly ulong[] liveIn; // per instruction (and one past the end): registers live before it
    readonly ulong[] alwaysLive;

    RegisterLiveness(int words, ulong[] liveIn, ulong[] alwaysLive)
    {
        this.words = words;
        this.liveIn = liveIn;
        this.alwaysLive = alwaysLive;
    }

    /// <summary>True if <paramref name="register"/> may be read after control reaches instruction <paramref name="pc"/> (before it runs).</summary>
    public bool IsLiveAt(int pc, int register)
    {
        ulong bit = 1UL << (register & 63);
        return (liveIn[pc * words + (register >> 6)] & bit) != 0 || (alwaysLive[register >> 6] & bit) != 0;
    }

    /// <summary>Registers a thread may read before writing them: the only ones a block has to start with zeroed.</summary>
    public IEnumerable<int> LiveAtEntry(int registerCount)
    {
        for (int r = 0; r < registerCount; r++)
            if (IsLiveAt(0, r)) yield return r;
    }

    public static RegisterLiveness Analyze(ExecutableKernel kernel)
    {
        var code = kernel.Code;
        int registers = kernel.RegisterBits.Length;
        int words = Math.Max(1, (registers + 63) / 64);
        int n = code.Length;
        var uses = new ulong[n * words];
        var defs = new ulong[n * words];
        var alwaysLive = new ulong[words];
        var successors = new List<int>[n];
        var predecessors = new List<int>[n + 1];
        for (int i = 0; i <= n; i++) predecessors[i] = [];

        for (int pc = 0; pc < n; pc++)
        {
            var ins = code[pc];
            var use = uses.AsSpan(pc * words, words);
            var def = defs.AsSpan(pc * words, words);
            bool firstIsDestination = WritesFirstOperand(ins.Opcode);
            for (int i = 0; i < ins.Operands.Length; i++)
            {
                bool destination = i == 0 && firstIsDestination;
                AddRegisters(ins.Operands[i], destination ? def : use, includeAddressBase: true, addressBaseTo: use);
            }
            if (ins.PredicateDestination >= 0) Set(def, ins.PredicateDestination);
            if (ins.GuardRegister >= 0)
            {
                Set(use, ins.GuardRegister);
                def.Clear(); // a guarded write may not happen: the old value can survive
            }
            if (ReadsOtherLanes(ins.Opcode))
                for (int i = 0; i < ins.Operands.Length; i++)
                    AddRegisters(ins.Operands[i], alwaysLive, includeAddressBase: true, addressBaseTo: alwaysLive);

            var next = new List<int>(2);
            switch (ins.Opcode)
            {
                case Opcode.Bra:
                    next.Add(Math.Clamp((int)ins.Operands[0].Immediate, 0, n));
                    if (ins.GuardRegister >= 0) next.Add(pc + 1);
                    break;
                case Opcode.Exit or Opcode.Ret or Opcode.Trap:
                    if (ins.GuardRegister >= 0) next.Add(pc + 1);
                    break;
                default:
                    next.Add(pc + 1);
                    break;
            }
            successors[pc] = next;
            foreach (int s in next) predecessors[s].Add(pc);
        }

        // liveIn(pc) = uses(pc) ∪ (liveOut(pc) \ defs(pc)); liveOut(pc) = ∪ liveIn(successors). Past the end: nothing.
        var liveIn = new ulong[(n + 1) * words];
        var pending = new Stack<int>();
        var queued = new bool[n];
        for (int pc = 0; pc < n; pc++) { pending.Push(pc); queued[pc] = true; }
        var scratch = new ulong[words];
        while (pending.TryPop(out int pc))
        {
            queued[pc] = false;
            Array.Clear(scratch);
            foreach (int s in successors[pc])
                for (int w = 0; w < words; w++) scratch[w] |= liveIn[s * words + w];
            bool changed = false;
            for (int w = 0; w < words; w++)
            {
                ulong value = uses[pc * words + w] | (scratch[w] & ~defs[pc * words + w]);
                if (value != liveIn[pc * words + w]) { liveIn[pc * words + w] = value; changed = true; }
            }
            if (!changed) continue;
            foreach (int p in predecessors[pc])
                if (!queued[p]) { pending.Push(p); queued[p] = true; }
        }
        return new RegisterLiveness(words, liveIn, alwaysLive);
    }

    static void Set(Span<ulong> set, int register) => set[register >> 6] |= 1UL << (register & 63);

    static void AddRegisters(in Operand operand, Span<ulong> to, bool includeAddressBase, Span<ulong> addressBaseTo)
    {
        switch (operand.Kind)
        {
            case OperandKind.Register:
                Set(to, operand.Register);
                break;
            case OperandKind.Address when includeAddressBase && operand.Base == AddressBase.Register:
                Set(addressBaseTo, operand.Register);
                break;
            case OperandKind.Vector when operand.Elements is not null:
                foreach (var element in operand.Elements) AddRegisters(element, to, includeAddressBase, addressBaseTo);
                break;
        }
    }

    /// <summary>Opcodes whose first operand is a destination that every executing lane overwrites.</summary>
    static bool WritesFirstOperand(Opcode opcode) => opcode is
        Opcode.Mov or Opcode.Add or Opcode.Sub or Opcode.Mul or Opcode.Mad or Opcode.MulWide or Opcode.MadWide or Opcode.Fma
        or Opcode.Div or Opcode.Rem or Opcode.Abs or Opcode.Neg or Opcode.Min or Opcode.Max or Opcode.Sad
        or Opcode.And or Opcode.Or or Opcode.Xor or Opcode.Not or Opcode.Cnot or Opcode.Shl or Opcode.Shr or Opcode.Lop3 or Opcode.Shf
        or Opcode.Setp or Opcode.Selp or Opcode.Set or Opcode.Slct or Opcode.Cvt or Opcode.Cvta or Opcode.CvtaTo or Opcode.Ld
        or Opcode.Bfe or Opcode.Bfi or Opcode.Bmsk or Opcode.Prmt or Opcode.Dp4a or Opcode.Dp2a or Opcode.Popc or Opcode.Clz
        or Opcode.Brev or Opcode.Bfind or Opcode.Ex2 or Opcode.Lg2 or Opcode.Sin or Opcode.Cos or Opcode.Rsqrt or Opcode.Rcp
        or Opcode.Sqrt or Opcode.Tanh or Opcode.Copysign;

    /// <summary>Warp collectives: they read registers of lanes other than the one executing.</summary>
    static bool ReadsOtherLanes(Opcode opcode) => opcode is
        Opcode.Shfl or Opcode.Vote or Opcode.Redux or Opcode.Mma or Opcode.Ldmatrix or Opcode.Stmatrix or Opcode.Movmatrix
        or Opcode.WmmaLoadA or Opcode.WmmaLoadB or Opcode.WmmaLoadC or Opcode.WmmaMma or Opcode.WmmaStoreD or Opcode.BarRed;
}
