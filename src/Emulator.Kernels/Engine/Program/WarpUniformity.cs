namespace Emulator.Kernels.Engine.Program;

/// <summary>
/// Registers that hold the same value in every lane of a warp whenever a lane reads them, so compiled code may compute
/// or load them once per warp instead of once per lane. A register qualifies when:
/// <list type="bullet">
/// <item>the kernel writes it in exactly one instruction, unguarded, of a pure form (arithmetic, comparison,
/// conversion, move, or a load of a kernel parameter at a fixed offset);</item>
/// <item>that instruction reads only immediates, warp-uniform special registers (%ctaid, %ntid, %nctaid, %warpid…) and
/// registers that qualify themselves;</item>
/// <item>no thread can read it before that write (<see cref="RegisterLiveness"/>: not live at entry).</item>
/// </list>
/// Then every execution of the write, by any lane at any time (divergence and loops included), computes the same
/// value from the same inputs, and every read sees a value written by it.
/// </summary>
public sealed class WarpUniformity
{
    readonly bool[] uniform;
    readonly Dictionary<int, ulong> constants;

    WarpUniformity(bool[] uniform, Dictionary<int, ulong> constants)
    {
        this.uniform = uniform;
        this.constants = constants;
    }

    public bool IsUniform(int register) => (uint)register < (uint)uniform.Length && uniform[register];

    /// <summary>A uniform register whose single write moves an immediate: its value wherever it is read.</summary>
    public bool TryGetConstant(int register, out ulong value) => constants.TryGetValue(register, out value);

    public static bool IsUniformSpecial(SpecialRegister special) => special is
        SpecialRegister.CtaidX or SpecialRegister.CtaidY or SpecialRegister.CtaidZ or SpecialRegister.NtidX or SpecialRegister.NtidY
        or SpecialRegister.NtidZ or SpecialRegister.NctaidX or SpecialRegister.NctaidY or SpecialRegister.NctaidZ or SpecialRegister.WarpId
        or SpecialRegister.NWarpId or SpecialRegister.GridId or SpecialRegister.DynamicSmemSize or SpecialRegister.SmId;

    public static WarpUniformity Analyze(ExecutableKernel kernel, RegisterLiveness liveness)
    {
        var code = kernel.Code;
        int registers = kernel.RegisterBits.Length;
        var definitions = new int[registers];
        var definedAt = new int[registers];
        Array.Fill(definedAt, -1);
        for (int pc = 0; pc < code.Length; pc++)
        {
            foreach (int r in Written(code[pc]))
            {
                definitions[r]++;
                definedAt[r] = pc;
            }
        }
        var uniform = new bool[registers];
        for (int r = 0; r < registers; r++)
            uniform[r] = definitions[r] == 1 && !liveness.IsLiveAt(0, r) && IsPure(code[definedAt[r]]);

        // Greatest fixpoint: drop registers whose single write reads something that is not uniform.
        for (bool changed = true; changed;)
        {
            changed = false;
            for (int r = 0; r < registers; r++)
            {
                if (!uniform[r] || ReadsOnlyUniform(code[definedAt[r]], uniform)) continue;
                uniform[r] = false;
                changed = true;
            }
        }
        var constants = new Dictionary<int, ulong>();
        for (int r = 0; r < registers; r++)
        {
            if (!uniform[r]) continue;
            var ins = code[definedAt[r]];
            if (ins.Opcode == Opcode.Mov && ins.Operands.Length == 2 && ins.Operands[0].Kind == OperandKind.Register && ins.Operands[1].Kind == OperandKind.Immediate)
            {
                // As the interpreter's mov: cut to the instruction's type, then to the register's width.
                ulong value = ins.Type == ScalarType.Pred ? ins.Operands[1].Immediate & 1 : ins.Operands[1].Immediate & Semantics.IntegerOps.Mask(Math.Max(ins.Type.Bits(), 1));
                constants[r] = value & Semantics.IntegerOps.Mask(Math.Max(1, kernel.RegisterBits[r]));
            }
        }
        return new WarpUniformity(uniform, constants);
    }

    /// <summary>Every register an instruction may write: its first operand (any register in it) and the second predicate destination.</summary>
    static IEnumerable<int> Written(Instruction ins)
    {
        if (ins.Operands.Length > 0)
        {
            var first = ins.Operands[0];
            if (first.Kind == OperandKind.Register) yield return first.Register;
            else if (first.Kind == OperandKind.Vector && first.Elements is not null)
                foreach (var element in first.Elements)
                    if (element.Kind == OperandKind.Register) yield return element.Register;
        }
        if (ins.PredicateDestination >= 0) yield return ins.PredicateDestination;
    }

    static bool IsPure(Instruction ins)
    {
        if (ins.GuardRegister >= 0) return false;
        return ins.Opcode switch
        {
            Opcode.Ld => ins.Space == StateSpace.Param && ins.Operands.Length > 1 && ins.Operands[1].Base == AddressBase.ParamSymbol,
            Opcode.Mov or Opcode.Add or Opcode.Sub or Opcode.Mul or Opcode.Mad or Opcode.MulWide or Opcode.MadWide or Opcode.Fma
                or Opcode.Div or Opcode.Rem or Opcode.Abs or Opcode.Neg or Opcode.Min or Opcode.Max or Opcode.And or Opcode.Or
                or Opcode.Xor or Opcode.Not or Opcode.Shl or Opcode.Shr or Opcode.Setp or Opcode.Selp or Opcode.Cvt or Opcode.Cvta
                or Opcode.CvtaTo or Opcode.Prmt or Opcode.Popc or Opcode.Clz => true,
            _ => false,
        };
    }

    static bool ReadsOnlyUniform(Instruction ins, bool[] uniform)
    {
        for (int i = 1; i < ins.Operands.Length; i++)
            if (!IsUniformOperand(ins.Operands[i], uniform)) return false;
        return true;
    }

    static bool IsUniformOperand(in Operand operand, bool[] uniform) => operand.Kind switch
    {
        OperandKind.Register => uniform[operand.Register],
        OperandKind.Immediate or OperandKind.None or OperandKind.Discard or OperandKind.Label => true,
        OperandKind.Special => IsUniformSpecial(operand.Special),
        OperandKind.Address => operand.Base switch
        {
            AddressBase.Register => uniform[operand.Register],
            AddressBase.None or AddressBase.SharedSymbol or AddressBase.LocalSymbol or AddressBase.ParamSymbol => true,
            _ => false,
        },
        OperandKind.Vector => operand.Elements is { } elements && elements.All(e => IsUniformOperand(e, uniform)),
        _ => false,
    };
}
