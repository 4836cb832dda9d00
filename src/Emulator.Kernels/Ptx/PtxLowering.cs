using System.Buffers.Binary;
using Emulator.Kernels.Ir;

namespace Emulator.Kernels.Ptx;

/// <summary>
/// Lowers a parsed <see cref="PtxModule"/> to an <see cref="IrModule"/>: resolves register names through nested scopes
/// to dense indices, places variables (params, shared, local, call arguments), resolves labels to instruction indices,
/// builds global initial bytes and annotates reconvergence points.
/// </summary>
public static class PtxLowering
{
    /// <exception cref="PtxException">Undefined names, duplicate labels, malformed operands or unsupported constructs.</exception>
    public static IrModule Lower(PtxModule module)
    {
        var globals = new List<IrGlobal>();
        var moduleVariables = new Dictionary<string, PtxVariable>(StringComparer.Ordinal);
        var globalIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        var dynamicSharedAlignment = 16;

        foreach (var variable in module.Variables)
        {
            if (!moduleVariables.TryAdd(variable.Name, variable))
            {
                // A forward `.extern` declaration followed by the definition names one variable.
                if (!moduleVariables[variable.Name].IsExtern)
                    throw new PtxException(PtxError.Invalid, variable.Line, variable.Column, $"'{variable.Name}' is declared twice");
                moduleVariables[variable.Name] = variable;
            }
            switch (variable.Space)
            {
                case PtxSpace.Global or PtxSpace.Const:
                    var global = LowerGlobal(variable);
                    if (globalIndex.TryGetValue(variable.Name, out var existing))
                    {
                        globals[existing] = global;
                    }
                    else
                    {
                        globalIndex[variable.Name] = globals.Count;
                        globals.Add(global);
                    }
                    break;
                case PtxSpace.Shared when variable.IsUnsized || (variable.IsExtern && variable.SizeInBytes == 0):
                    dynamicSharedAlignment = Math.Max(dynamicSharedAlignment, variable.EffectiveAlignment);
                    break;
                case PtxSpace.Shared:
                    break;
                default:
                    throw new PtxException(PtxError.Unsupported, variable.Line, variable.Column, $"module-scope .{variable.Space.ToString().ToLowerInvariant()} variables are not supported");
            }
        }

        // A function may be declared (prototype) before it is defined; the definition wins, the first position is kept.
        var functionIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        var definitions = new List<PtxFunction>();
        foreach (var function in module.Functions)
        {
            if (functionIndex.TryGetValue(function.Name, out var index))
            {
                if (definitions[index].Body is not null && function.Body is not null)
                    throw new PtxException(PtxError.Invalid, function.Line, function.Column, $"function '{function.Name}' is defined twice");
                if (function.Body is not null)
                    definitions[index] = function;
            }
            else
            {
                functionIndex[function.Name] = definitions.Count;
                definitions.Add(function);
            }
        }

        var context = new ModuleContext(moduleVariables, globalIndex, functionIndex, dynamicSharedAlignment);
        var functions = new IrFunction[definitions.Count];
        for (var i = 0; i < definitions.Count; i++)
            functions[i] = new FunctionLowerer(context, definitions[i]).Lower();

        return new IrModule
        {
            PtxVersion = module.Version, Targets = module.Targets, AddressSize = module.AddressSize,
            Functions = functions, Globals = globals,
        };
    }

    /// <summary>Parses and lowers in one step.</summary>
    public static IrModule ParseAndLower(string ptx) => Lower(PtxParser.Parse(ptx));

    private static IrGlobal LowerGlobal(PtxVariable variable)
    {
        if (variable.IsUnsized && !variable.IsExtern)
            throw new PtxException(PtxError.Invalid, variable.Line, variable.Column, $"'{variable.Name}' has no size");
        var size = variable.SizeInBytes;
        var bytes = new byte[size];
        if (variable.Initializer is { } initializer)
        {
            var elementSize = variable.Type.SizeInBytes();
            Span<byte> scratch = stackalloc byte[8];
            if ((long)initializer.Count * elementSize > size)
                throw new PtxException(PtxError.Invalid, variable.Line, variable.Column, $"too many initialisers for '{variable.Name}'");
            for (var i = 0; i < initializer.Count; i++)
            {
                var constant = initializer[i];
                var operand = constant.Kind switch
                {
                    IrOperandKind.ImmediateInteger => IrOperand.OfInteger(constant.Value),
                    IrOperandKind.ImmediateFloat32 => IrOperand.OfFloat32Bits((uint)constant.Value),
                    _ => IrOperand.OfFloat64Bits((ulong)constant.Value),
                };
                var bits = operand.ImmediateBits(variable.Type);
                BinaryPrimitives.WriteUInt64LittleEndian(scratch, bits);
                scratch[..elementSize].CopyTo(bytes.AsSpan(i * elementSize));
            }
        }
        var space = variable.Space == PtxSpace.Const ? IrStateSpace.Const : IrStateSpace.Global;
        return new IrGlobal(variable.Name, space, variable.Type, size, variable.EffectiveAlignment, bytes) { IsExternal = variable.IsExtern };
    }

    private sealed record ModuleContext(
        Dictionary<string, PtxVariable> Variables,
        Dictionary<string, int> GlobalIndex,
        Dictionary<string, int> FunctionIndex,
        int DynamicSharedAlignment);

    private sealed class Scope
    {
        public Dictionary<string, int>? Registers;
        /// <summary>Register ranges <c>%r&lt;N&gt;</c>: prefix → (first index, count); names resolve without one entry per register.</summary>
        public Dictionary<string, (int First, int Count)>? Ranges;
        public Dictionary<string, int>? Symbols;
    }

    private sealed class FunctionLowerer(ModuleContext module, PtxFunction function)
    {
        private readonly List<IrRegister> _registers = [];
        private readonly List<IrSymbol> _symbols = [];
        private readonly List<IrInstruction> _instructions = [];
        private readonly List<IrOperand> _operands = [];
        private readonly List<IrOperand> _vectorElements = [];
        private readonly List<Scope> _scopes = [];
        private readonly Dictionary<string, int> _labels = new(StringComparer.Ordinal);
        private readonly List<(int Instruction, int Operand, string Label, PtxStatement Statement)> _labelFixups = [];
        private readonly Dictionary<string, int> _moduleSymbols = new(StringComparer.Ordinal);
        private readonly List<int> _sharedSymbols = [];
        private readonly List<int> _dynamicSharedSymbols = [];
        private long _localSize;
        private long _callArgumentSize;

        public IrFunction Lower()
        {
            var isEntry = function.IsEntry;
            _scopes.Add(new Scope());
            var parameters = PlaceParameters(function.Parameters, isEntry ? IrSymbolKind.KernelParameter : IrSymbolKind.FunctionParameter, out var parameterSize);
            var returns = PlaceParameters(function.ReturnParameters, IrSymbolKind.FunctionReturn, out var returnSize);

            if (function.Body is { } body)
            {
                foreach (var statement in body)
                {
                    switch (statement)
                    {
                        case PtxInstruction instruction:
                            LowerInstruction(instruction);
                            break;
                        case PtxDeclaration declaration:
                            Declare(declaration.Variable);
                            break;
                        case PtxLabel label:
                            if (!_labels.TryAdd(label.Name, _instructions.Count))
                                throw new PtxException(PtxError.Invalid, label.Line, label.Column, $"label '{label.Name}' is defined twice");
                            break;
                        case PtxScopeStart:
                            _scopes.Add(new Scope());
                            break;
                        case PtxScopeEnd:
                            _scopes.RemoveAt(_scopes.Count - 1);
                            break;
                    }
                }
            }

            foreach (var (instructionIndex, operandIndex, label, statement) in _labelFixups)
            {
                if (!_labels.TryGetValue(label, out var target))
                    throw new PtxException(PtxError.Invalid, statement.Line, statement.Column, $"undefined label '{label}'");
                _operands[operandIndex] = IrOperand.OfLabel(target);
                if (_instructions[instructionIndex].Opcode == IrOpcode.Bra)
                    _instructions[instructionIndex] = _instructions[instructionIndex] with { BranchTarget = target };
            }

            var staticSharedSize = LayoutShared();
            var instructions = _instructions.ToArray();
            IrControlFlow.AnnotateReconvergence(instructions);

            return new IrFunction
            {
                Name = function.Name, IsEntry = isEntry, IsExternal = function.Body is null,
                Parameters = parameters, ReturnParameters = returns,
                ParameterBufferSize = parameterSize, ReturnBufferSize = returnSize,
                Instructions = instructions, Operands = [.. _operands], VectorElements = [.. _vectorElements],
                Registers = [.. _registers], Symbols = [.. _symbols],
                StaticSharedSize = staticSharedSize, DynamicSharedAlignment = module.DynamicSharedAlignment,
                LocalSize = _localSize, CallArgumentSize = _callArgumentSize,
                MaxNtid = function.MaxNtid, ReqNtid = function.ReqNtid, MinNctaPerSm = function.MinNctaPerSm,
                MaxNReg = function.MaxNReg, SourceLine = function.Line,
            };
        }

        private List<IrParameter> PlaceParameters(IReadOnlyList<PtxVariable> declared, IrSymbolKind kind, out long size)
        {
            var placed = new List<IrParameter>(declared.Count);
            long cursor = 0;
            foreach (var variable in declared)
            {
                if (variable.Space != PtxSpace.Param)
                    throw new PtxException(PtxError.Unsupported, variable.Line, variable.Column, ".reg parameters are not supported");
                if (variable.IsUnsized)
                    throw new PtxException(PtxError.Invalid, variable.Line, variable.Column, $"parameter '{variable.Name}' has no size");
                var alignment = variable.EffectiveAlignment;
                cursor = AlignUp(cursor, alignment);
                placed.Add(new IrParameter(variable.Name, variable.Type, variable.SizeInBytes, alignment, cursor));
                AddScopedSymbol(variable, new IrSymbol(variable.Name, kind, IrStateSpace.Param, variable.SizeInBytes, alignment, cursor, -1) { ElementType = variable.Type });
                cursor += variable.SizeInBytes;
            }
            size = cursor;
            return placed;
        }

        private void Declare(PtxVariable variable)
        {
            var scope = _scopes[^1];
            switch (variable.Space)
            {
                case PtxSpace.Reg:
                    if (variable.VectorWidth != 1)
                        throw new PtxException(PtxError.Unsupported, variable.Line, variable.Column, "vector registers are not supported");
                    if (variable.RangeCount > 0)
                    {
                        scope.Ranges ??= new Dictionary<string, (int, int)>(StringComparer.Ordinal);
                        scope.Ranges[variable.Name] = (_registers.Count, variable.RangeCount);
                        for (var i = 0; i < variable.RangeCount; i++)
                            _registers.Add(new IrRegister(variable.Name, variable.Type));
                    }
                    else
                    {
                        scope.Registers ??= new Dictionary<string, int>(StringComparer.Ordinal);
                        scope.Registers[variable.Name] = _registers.Count;
                        _registers.Add(new IrRegister(variable.Name, variable.Type));
                    }
                    break;
                case PtxSpace.Shared:
                    if (!function.IsEntry)
                        throw new PtxException(PtxError.Unsupported, variable.Line, variable.Column, ".shared variables inside device functions are not supported");
                    AddShared(variable, scoped: true);
                    break;
                case PtxSpace.Local:
                {
                    var alignment = variable.EffectiveAlignment;
                    _localSize = AlignUp(_localSize, alignment);
                    AddScopedSymbol(variable, new IrSymbol(variable.Name, IrSymbolKind.Local, IrStateSpace.Local, variable.SizeInBytes, alignment, _localSize, -1) { ElementType = variable.Type });
                    _localSize += variable.SizeInBytes;
                    break;
                }
                case PtxSpace.Param:
                {
                    var alignment = variable.EffectiveAlignment;
                    _callArgumentSize = AlignUp(_callArgumentSize, alignment);
                    AddScopedSymbol(variable, new IrSymbol(variable.Name, IrSymbolKind.CallArgument, IrStateSpace.Param, variable.SizeInBytes, alignment, _callArgumentSize, -1) { ElementType = variable.Type });
                    _callArgumentSize += variable.SizeInBytes;
                    break;
                }
                default:
                    throw new PtxException(PtxError.Unsupported, variable.Line, variable.Column, $".{variable.Space.ToString().ToLowerInvariant()} variables inside a function body are not supported");
            }
        }

        /// <summary>Shared symbols get their offsets in <see cref="LayoutShared"/>, once every static one is known.</summary>
        private int AddShared(PtxVariable variable, bool scoped)
        {
            var dynamic = variable.IsUnsized || (variable.IsExtern && variable.SizeInBytes == 0);
            var symbol = new IrSymbol(variable.Name, dynamic ? IrSymbolKind.DynamicShared : IrSymbolKind.Shared, IrStateSpace.Shared,
                dynamic ? 0 : variable.SizeInBytes, variable.EffectiveAlignment, -1, -1) { ElementType = variable.Type };
            var index = scoped ? AddScopedSymbol(variable, symbol) : AddSymbol(symbol);
            (dynamic ? _dynamicSharedSymbols : _sharedSymbols).Add(index);
            return index;
        }

        /// <summary>Static shared variables in order of first declaration/use; dynamic shared starts after them.</summary>
        private long LayoutShared()
        {
            long cursor = 0;
            foreach (var index in _sharedSymbols)
            {
                var symbol = _symbols[index];
                cursor = AlignUp(cursor, symbol.Alignment);
                _symbols[index] = symbol with { Offset = cursor };
                cursor += symbol.Size;
            }
            var dynamicBase = function.IsEntry ? AlignUp(cursor, module.DynamicSharedAlignment) : -1;
            foreach (var index in _dynamicSharedSymbols)
                _symbols[index] = _symbols[index] with { Offset = dynamicBase };
            return cursor;
        }

        private int AddScopedSymbol(PtxVariable variable, IrSymbol symbol)
        {
            var scope = _scopes[^1];
            scope.Symbols ??= new Dictionary<string, int>(StringComparer.Ordinal);
            var index = AddSymbol(symbol);
            scope.Symbols[variable.Name] = index;
            return index;
        }

        private int AddSymbol(IrSymbol symbol)
        {
            _symbols.Add(symbol);
            return _symbols.Count - 1;
        }

        private void LowerInstruction(PtxInstruction instruction)
        {
            var guard = -1;
            if (instruction.Guard is { } guardName)
            {
                guard = ResolveRegister(guardName);
                if (guard < 0 || _registers[guard].Type != IrType.Pred)
                    throw Error(instruction, $"guard '{guardName}' is not a predicate register");
            }

            var instructionIndex = _instructions.Count;
            var firstOperand = _operands.Count;
            var pairedDestination = -1;
            var operands = instruction.Operands;

            if (instruction.Opcode == IrOpcode.Call)
            {
                LowerCallOperands(instruction);
            }
            else
            {
                for (var i = 0; i < operands.Length; i++)
                {
                    var operand = operands[i];
                    if (operand.PairName is { } pair)
                    {
                        if (i != 0)
                            throw Error(instruction, "only the first operand may be a 'd|p' pair");
                        pairedDestination = ResolveRegister(pair);
                        if (pairedDestination < 0)
                            throw Error(instruction, $"'{pair}' is not a register");
                    }
                    _operands.Add(LowerOperand(operand, instruction, instructionIndex, allowLabel: instruction.Opcode == IrOpcode.Bra));
                }
            }

            _instructions.Add(new IrInstruction
            {
                Opcode = instruction.Opcode, Modifiers = instruction.Modifiers, Guard = guard, GuardNegated = instruction.GuardNegated,
                FirstOperand = firstOperand, OperandCount = _operands.Count - firstOperand, PairedDestination = pairedDestination,
                BranchTarget = -1, Reconvergence = -1, SourceLine = instruction.Line,
            });
        }

        /// <summary>Normalises <c>call [(rets),] f [, (args)]</c> to exactly three operands: returns, function, arguments.</summary>
        private void LowerCallOperands(PtxInstruction instruction)
        {
            var operands = instruction.Operands;
            var position = 0;
            PtxOperand[] returns = [];
            if (position < operands.Length && operands[position].Kind == PtxOperandKind.List)
                returns = operands[position++].Elements!;
            if (position >= operands.Length || operands[position].Kind != PtxOperandKind.Name)
                throw Error(instruction, "call needs a function name");
            var name = operands[position++].Name!;
            if (!module.FunctionIndex.TryGetValue(name, out var target))
                throw Error(instruction, $"call of undeclared function '{name}'");
            PtxOperand[] arguments = [];
            if (position < operands.Length && operands[position].Kind == PtxOperandKind.List)
                arguments = operands[position++].Elements!;
            if (position != operands.Length)
                throw Error(instruction, "indirect calls and call prototypes are not supported");

            _operands.Add(LowerList(returns, instruction));
            _operands.Add(IrOperand.OfFunction(target));
            _operands.Add(LowerList(arguments, instruction));
        }

        private IrOperand LowerList(PtxOperand[] elements, PtxInstruction instruction)
        {
            var lowered = new IrOperand[elements.Length];
            for (var i = 0; i < elements.Length; i++)
            {
                if (elements[i].Kind is PtxOperandKind.Vector or PtxOperandKind.List)
                    throw Error(instruction, "nested vector operands are not allowed");
                lowered[i] = LowerOperand(elements[i], instruction, -1, allowLabel: false);
            }
            var start = _vectorElements.Count;
            _vectorElements.AddRange(lowered);
            return IrOperand.OfVector(start, lowered.Length);
        }

        private IrOperand LowerOperand(in PtxOperand operand, PtxInstruction instruction, int instructionIndex, bool allowLabel)
        {
            switch (operand.Kind)
            {
                case PtxOperandKind.Integer:
                    return IrOperand.OfInteger(operand.Value);
                case PtxOperandKind.Float32:
                    return IrOperand.OfFloat32Bits((uint)operand.Value);
                case PtxOperandKind.Float64:
                    return IrOperand.OfFloat64Bits((ulong)operand.Value);
                case PtxOperandKind.Sink:
                    return IrOperand.Sink;
                case PtxOperandKind.Vector or PtxOperandKind.List:
                    return LowerList(operand.Elements!, instruction);
                case PtxOperandKind.Address:
                {
                    if (operand.Name is null)
                        return IrOperand.OfAddress(-1, -1, operand.Value);
                    var register = ResolveRegister(operand.Name);
                    if (register >= 0)
                        return IrOperand.OfAddress(register, -1, operand.Value);
                    var symbol = ResolveSymbol(operand.Name, instruction);
                    if (symbol >= 0)
                        return IrOperand.OfAddress(-1, symbol, operand.Value);
                    throw Error(instruction, $"undefined name '{operand.Name}' in an address");
                }
                case PtxOperandKind.NamePlusOffset:
                {
                    var symbol = ResolveSymbol(operand.Name!, instruction);
                    if (symbol < 0)
                        throw Error(instruction, $"'{operand.Name}' is not a variable");
                    return IrOperand.OfSymbolAddress(symbol, operand.Value);
                }
                default:
                {
                    var name = operand.Name!;
                    var register = ResolveRegister(name);
                    if (register >= 0)
                        return IrOperand.OfRegister(register, operand.Negated);
                    if (operand.Negated)
                        throw Error(instruction, $"'!' needs a predicate register, '{name}' is not one");
                    if (name[0] == '%' && PtxSpecialRegisters.TryParse(name, out var special))
                        return IrOperand.OfSpecial(special);
                    if (name == PtxSpecialRegisters.WarpSizeConstant)
                        return IrOperand.OfInteger(PtxSpecialRegisters.WarpSize);
                    var symbol = ResolveSymbol(name, instruction);
                    if (symbol >= 0)
                        return IrOperand.OfSymbolAddress(symbol);
                    if (module.FunctionIndex.TryGetValue(name, out var functionIndex))
                        return IrOperand.OfFunction(functionIndex);
                    if (allowLabel && instructionIndex >= 0)
                    {
                        _labelFixups.Add((instructionIndex, _operands.Count, name, instruction));
                        return IrOperand.OfLabel(-1);
                    }
                    throw Error(instruction, $"undefined name '{name}'");
                }
            }
        }

        private int ResolveRegister(string name)
        {
            for (var s = _scopes.Count - 1; s >= 0; s--)
            {
                var scope = _scopes[s];
                if (scope.Registers is { } registers && registers.TryGetValue(name, out var index))
                    return index;
                if (scope.Ranges is { } ranges && TrySplitNumberedName(name, out var prefix, out var number)
                    && ranges.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(prefix, out var range) && number < range.Count)
                    return range.First + number;
                // A scoped variable of the same name hides outer registers.
                if (scope.Symbols is { } symbols && symbols.ContainsKey(name))
                    return -1;
            }
            return -1;
        }

        private static bool TrySplitNumberedName(string name, out ReadOnlySpan<char> prefix, out int number)
        {
            var end = name.Length;
            var start = end;
            while (start > 0 && char.IsAsciiDigit(name[start - 1]))
                start--;
            prefix = name.AsSpan(0, start);
            number = 0;
            var digits = end - start;
            if (digits == 0 || start == 0 || digits > 9 || (digits > 1 && name[start] == '0'))
                return false;
            number = int.Parse(name.AsSpan(start));
            return true;
        }

        private int ResolveSymbol(string name, PtxInstruction instruction)
        {
            for (var s = _scopes.Count - 1; s >= 0; s--)
            {
                if (_scopes[s].Symbols is { } symbols && symbols.TryGetValue(name, out var index))
                    return index;
            }
            if (_moduleSymbols.TryGetValue(name, out var known))
                return known;
            if (!module.Variables.TryGetValue(name, out var variable))
                return -1;

            int symbol;
            switch (variable.Space)
            {
                case PtxSpace.Shared:
                    if (!function.IsEntry && !(variable.IsUnsized || variable.IsExtern))
                        throw Error(instruction, $"device function uses module-scope .shared '{name}'; only kernels may (not supported)");
                    symbol = AddShared(variable, scoped: false);
                    break;
                default:
                    var globalIndex = module.GlobalIndex[name];
                    var kind = variable.Space == PtxSpace.Const ? IrSymbolKind.Const : IrSymbolKind.Global;
                    var space = variable.Space == PtxSpace.Const ? IrStateSpace.Const : IrStateSpace.Global;
                    symbol = AddSymbol(new IrSymbol(name, kind, space, variable.SizeInBytes, variable.EffectiveAlignment, 0, globalIndex) { ElementType = variable.Type });
                    break;
            }
            _moduleSymbols[name] = symbol;
            return symbol;
        }

        private PtxException Error(PtxStatement statement, string reason) => new(PtxError.Invalid, statement.Line, statement.Column, reason);
    }

    private static long AlignUp(long value, int alignment) => alignment <= 1 ? value : (value + alignment - 1) / alignment * alignment;
}
