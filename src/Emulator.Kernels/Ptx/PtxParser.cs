using Emulator.Kernels.Ir;

namespace Emulator.Kernels.Ptx;

/// <summary>Parses PTX text (as nvcc and the reference ggml build emit it, ANALYSIS.md §3) into a <see cref="PtxModule"/>.</summary>
public static class PtxParser
{
    /// <summary>Highest PTX ISA major version accepted by <c>.version</c>.</summary>
    public const int MaxSupportedMajorVersion = 9;

    /// <exception cref="PtxException">The text is not valid (or not supported) PTX; carries line and column.</exception>
    public static PtxModule Parse(string text) => new PtxModuleParser(text).ParseModule();
}

internal sealed class PtxModuleParser
{
    private readonly PtxLexer _lexer;
    private PtxToken _token;
    private PtxToken _lookahead;
    private bool _hasLookahead;
    // Names repeat a lot (registers, params); one string per distinct name keeps allocation proportional to distinct names.
    private readonly Dictionary<string, string> _names = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _nameLookup;
    private readonly Dictionary<string, (IrOpcode, IrModifiers)> _decodedOpcodes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (IrOpcode, IrModifiers)>.AlternateLookup<ReadOnlySpan<char>> _decodedOpcodeLookup;

    public PtxModuleParser(string text)
    {
        _lexer = new PtxLexer(text);
        _nameLookup = _names.GetAlternateLookup<ReadOnlySpan<char>>();
        _decodedOpcodeLookup = _decodedOpcodes.GetAlternateLookup<ReadOnlySpan<char>>();
        _token = _lexer.Next();
    }

    public PtxModule ParseModule()
    {
        string? version = null;
        var targets = new List<string>();
        var addressSize = 64;
        var variables = new List<PtxVariable>();
        var functions = new List<PtxFunction>();
        bool isExtern = false, isVisible = false;

        while (_token.Kind != PtxTokenKind.End)
        {
            var start = _token;
            if (_token.Kind != PtxTokenKind.Directive)
                throw Error(_token, $"expected a directive, found '{Text(_token)}'");

            switch (Word(_token))
            {
                case "version":
                    Advance();
                    version = ParseVersion();
                    break;
                case "target":
                    Advance();
                    targets.Add(ExpectIdentifier());
                    while (_token.Is(','))
                    {
                        Advance();
                        targets.Add(ExpectIdentifier());
                    }
                    break;
                case "address_size":
                    Advance();
                    addressSize = (int)ExpectInteger();
                    if (addressSize is not (32 or 64))
                        throw Error(start, $"unsupported .address_size {addressSize}");
                    break;
                case "file":
                    SkipRestOfLine(start.Line);
                    break;
                case "pragma":
                    SkipToSemicolon();
                    break;
                case "visible":
                    isVisible = true;
                    Advance();
                    continue;
                case "extern":
                    isExtern = true;
                    Advance();
                    continue;
                case "weak" or "common":
                    Advance();
                    continue;
                case "entry" or "func":
                    functions.Add(ParseFunction(isExtern, isVisible));
                    break;
                case "global" or "shared" or "const" or "local":
                    var space = SpaceOf(Word(_token));
                    Advance();
                    variables.AddRange(ParseVariables(space, isExtern, isVisible));
                    break;
                case "section" or "alias" or "callprototype":
                    throw Unsupported(start, $"directive .{Word(start).ToString()} is not supported");
                default:
                    throw Error(start, $"unknown directive '{Text(start)}'");
            }
            isExtern = false;
            isVisible = false;
        }

        if (version is null)
            throw new PtxException(PtxError.Invalid, 1, 1, "missing .version directive");
        if (targets.Count == 0)
            throw new PtxException(PtxError.Invalid, 1, 1, "missing .target directive");
        return new PtxModule { Version = version, Targets = targets, AddressSize = addressSize, Variables = variables, Functions = functions };
    }

    private string ParseVersion()
    {
        var token = _token;
        if (token.Kind is not (PtxTokenKind.Float64 or PtxTokenKind.Integer))
            throw Error(token, "expected a version number after .version");
        var text = Text(token);
        var dot = text.IndexOf('.');
        if (dot <= 0 || !int.TryParse(text.AsSpan(0, dot), out var major) || !int.TryParse(text.AsSpan(dot + 1), out _))
            throw Error(token, $"malformed PTX version '{text}'");
        if (major > PtxParser.MaxSupportedMajorVersion)
            throw new PtxException(PtxError.UnsupportedVersion, token.Line, token.Column, $"PTX ISA version {text} is newer than supported ({PtxParser.MaxSupportedMajorVersion}.x)");
        Advance();
        return text;
    }

    private PtxFunction ParseFunction(bool isExtern, bool isVisible)
    {
        var start = _token;
        var isEntry = Word(_token) is "entry";
        Advance();

        IReadOnlyList<PtxVariable> returns = [];
        if (!isEntry && _token.Is('('))
            returns = ParseParameterList();
        var name = ExpectIdentifier();
        IReadOnlyList<PtxVariable> parameters = [];
        if (_token.Is('('))
            parameters = ParseParameterList();

        int[]? maxNtid = null, reqNtid = null;
        int? minNctaPerSm = null, maxNReg = null;
        while (_token.Kind == PtxTokenKind.Directive)
        {
            var directive = _token;
            switch (Word(directive))
            {
                case "maxntid":
                    Advance();
                    maxNtid = ParseDimensions();
                    break;
                case "reqntid":
                    Advance();
                    reqNtid = ParseDimensions();
                    break;
                case "minnctapersm":
                    Advance();
                    minNctaPerSm = (int)ExpectInteger();
                    break;
                case "maxnreg":
                    Advance();
                    maxNReg = (int)ExpectInteger();
                    break;
                case "noreturn":
                    Advance();
                    break;
                case "pragma":
                    SkipToSemicolon();
                    break;
                default:
                    throw Unsupported(directive, $"function directive '{Text(directive)}' is not supported");
            }
        }

        List<PtxStatement>? body = null;
        if (_token.Is(';'))
        {
            Advance();
        }
        else if (_token.Is('{'))
        {
            Advance();
            body = ParseBody();
        }
        else
        {
            throw Error(_token, $"expected '{{' or ';' after the declaration of {name}");
        }

        return new PtxFunction
        {
            Name = name, IsEntry = isEntry, IsExtern = isExtern, IsVisible = isVisible, Parameters = parameters,
            ReturnParameters = returns, MaxNtid = maxNtid, ReqNtid = reqNtid, MinNctaPerSm = minNctaPerSm, MaxNReg = maxNReg,
            Body = body, Line = start.Line, Column = start.Column,
        };
    }

    private int[] ParseDimensions()
    {
        var dimensions = new List<int> { (int)ExpectInteger() };
        while (_token.Is(',') && dimensions.Count < 3)
        {
            Advance();
            dimensions.Add((int)ExpectInteger());
        }
        while (dimensions.Count < 3)
            dimensions.Add(1);
        return [.. dimensions];
    }

    private List<PtxVariable> ParseParameterList()
    {
        Expect('(');
        var parameters = new List<PtxVariable>();
        if (_token.Is(')'))
        {
            Advance();
            return parameters;
        }
        while (true)
        {
            var start = _token;
            if (_token.Kind != PtxTokenKind.Directive || Word(_token) is not ("param" or "reg"))
                throw Error(_token, "expected .param or .reg in a parameter list");
            var space = Word(_token) is "param" ? PtxSpace.Param : PtxSpace.Reg;
            Advance();
            parameters.Add(ParseOneVariable(space, isExtern: false, isVisible: false, start));
            if (_token.Is(')'))
            {
                Advance();
                return parameters;
            }
            Expect(',');
        }
    }

    /// <summary>After the space directive: attributes, then one or more comma-separated names, then <c>;</c>.</summary>
    private List<PtxVariable> ParseVariables(PtxSpace space, bool isExtern, bool isVisible)
    {
        var start = _token;
        var variables = new List<PtxVariable> { ParseOneVariable(space, isExtern, isVisible, start) };
        var first = variables[0];
        while (_token.Is(','))
        {
            Advance();
            var nameToken = _token;
            var name = ExpectIdentifier();
            variables.Add(ParseDeclaratorTail(space, name, first.Type, first.Alignment, first.VectorWidth, isExtern, isVisible, nameToken));
        }
        Expect(';');
        return variables;
    }

    private PtxVariable ParseOneVariable(PtxSpace space, bool isExtern, bool isVisible, in PtxToken start)
    {
        var alignment = 0;
        var vectorWidth = 1;
        var type = IrType.None;
        // After `.ptr`, `.space` and `.align` describe the pointee (`.param .u64 .ptr .global .align 16 p`), not the parameter.
        var pointerAttributes = false;
        while (_token.Kind == PtxTokenKind.Directive)
        {
            var word = Word(_token);
            if (word is "align")
            {
                Advance();
                var declared = (int)ExpectInteger();
                if (declared <= 0 || (declared & (declared - 1)) != 0)
                    throw Error(start, $"alignment {declared} is not a power of two");
                if (!pointerAttributes)
                    alignment = declared;
                continue;
            }
            if (word is "ptr" && space == PtxSpace.Param)
            {
                pointerAttributes = true;
                Advance();
                continue;
            }
            if (word is "v2" or "v4" or "v8")
            {
                vectorWidth = word[1] - '0';
                Advance();
                continue;
            }
            if (pointerAttributes && word is "global" or "shared" or "const" or "local")
            {
                Advance();
                continue;
            }
            var decoded = PtxOpcodeDecoder.DecodeType(word);
            if (decoded == IrType.None)
                throw Error(_token, $"unexpected '{Text(_token)}' in a declaration");
            if (type != IrType.None)
                throw Error(_token, "a declaration has more than one type");
            type = decoded;
            Advance();
        }
        if (type == IrType.None)
            throw Error(_token, "declaration without a type");
        var nameToken = _token;
        var name = ExpectIdentifier();
        return ParseDeclaratorTail(space, name, type, alignment, vectorWidth, isExtern, isVisible, nameToken);
    }

    private PtxVariable ParseDeclaratorTail(PtxSpace space, string name, IrType type, int alignment, int vectorWidth,
        bool isExtern, bool isVisible, in PtxToken nameToken)
    {
        var rangeCount = 0;
        List<long>? dimensions = null;
        if (_token.Is('<'))
        {
            Advance();
            var count = ExpectInteger();
            if (count is < 0 or > 1 << 24)
                throw Error(nameToken, $"register range <{count}> out of bounds");
            rangeCount = (int)count;
            Expect('>');
        }
        while (_token.Is('['))
        {
            Advance();
            dimensions ??= [];
            if (_token.Is(']'))
            {
                dimensions.Add(-1);
            }
            else
            {
                var size = ExpectInteger();
                if (size < 0)
                    throw Error(nameToken, "negative array size");
                dimensions.Add(size);
            }
            Expect(']');
        }

        List<PtxConstant>? initializer = null;
        if (_token.Is('='))
        {
            Advance();
            initializer = [];
            ParseInitializer(initializer);
        }

        return new PtxVariable
        {
            Space = space, Name = name, Type = type, Alignment = alignment, VectorWidth = vectorWidth,
            Dimensions = dimensions ?? (IReadOnlyList<long>)[], RangeCount = rangeCount, IsExtern = isExtern,
            IsVisible = isVisible, Initializer = initializer, Line = nameToken.Line, Column = nameToken.Column,
        };
    }

    private void ParseInitializer(List<PtxConstant> into)
    {
        if (_token.Is('{'))
        {
            Advance();
            if (!_token.Is('}'))
            {
                ParseInitializer(into);
                while (_token.Is(','))
                {
                    Advance();
                    ParseInitializer(into);
                }
            }
            Expect('}');
            return;
        }
        var start = _token;
        var operand = ParseImmediate();
        if (operand is null)
            throw Unsupported(start, "initialisers other than numeric literals (addresses of variables) are not supported");
        into.Add(new PtxConstant(operand.Value.Kind switch
        {
            PtxOperandKind.Integer => IrOperandKind.ImmediateInteger,
            PtxOperandKind.Float32 => IrOperandKind.ImmediateFloat32,
            _ => IrOperandKind.ImmediateFloat64,
        }, operand.Value.Value));
    }

    private List<PtxStatement> ParseBody()
    {
        var statements = new List<PtxStatement>();
        var depth = 1;
        while (true)
        {
            var start = _token;
            switch (_token.Kind)
            {
                case PtxTokenKind.End:
                    throw Error(_token, "unexpected end of text inside a function body");
                case PtxTokenKind.Punctuation when _token.Is('{'):
                    Advance();
                    depth++;
                    statements.Add(new PtxScopeStart { Line = start.Line, Column = start.Column });
                    continue;
                case PtxTokenKind.Punctuation when _token.Is('}'):
                    Advance();
                    if (--depth == 0)
                        return statements;
                    statements.Add(new PtxScopeEnd { Line = start.Line, Column = start.Column });
                    continue;
                case PtxTokenKind.Directive:
                    ParseBodyDirective(statements);
                    continue;
                case PtxTokenKind.Punctuation when _token.Is('@'):
                    statements.Add(ParseInstruction());
                    continue;
                case PtxTokenKind.Identifier:
                    if (PeekIsLabelColon())
                    {
                        var label = Intern(_token);
                        Advance();
                        Advance();
                        statements.Add(new PtxLabel { Name = label, Line = start.Line, Column = start.Column });
                        continue;
                    }
                    statements.Add(ParseInstruction());
                    continue;
                default:
                    throw Error(_token, $"unexpected '{Text(_token)}' in a function body");
            }
        }
    }

    private void ParseBodyDirective(List<PtxStatement> statements)
    {
        var start = _token;
        switch (Word(_token))
        {
            case "reg" or "shared" or "local" or "param" or "const" or "global":
                var space = SpaceOf(Word(_token));
                Advance();
                foreach (var variable in ParseVariables(space, isExtern: false, isVisible: false))
                    statements.Add(new PtxDeclaration { Variable = variable, Line = variable.Line, Column = variable.Column });
                break;
            case "pragma":
                SkipToSemicolon();
                break;
            case "loc":
                SkipRestOfLine(start.Line);
                break;
            default:
                throw Unsupported(start, $"directive '{Text(start)}' inside a function body is not supported");
        }
    }

    private PtxInstruction ParseInstruction()
    {
        var start = _token;
        string? guard = null;
        var guardNegated = false;
        if (_token.Is('@'))
        {
            Advance();
            if (_token.Is('!'))
            {
                guardNegated = true;
                Advance();
            }
            guard = ExpectIdentifier();
        }

        var opcodeToken = _token;
        if (opcodeToken.Kind != PtxTokenKind.Identifier)
            throw Error(opcodeToken, "expected an instruction");
        // Instructions repeat a few hundred distinct opcode texts millions of times: decode each text once.
        var opcodeEnd = _lexer.ScanOpcodeEnd(opcodeToken.Start);
        var opcodeText = _lexer.Text.AsSpan(opcodeToken.Start, opcodeEnd - opcodeToken.Start);
        IrOpcode opcode;
        IrModifiers modifiers;
        if (_decodedOpcodeLookup.TryGetValue(opcodeText, out var decoded))
        {
            (opcode, modifiers) = decoded;
            if (_hasLookahead && _lookahead.Start >= opcodeEnd)
            {
                // The peeked token already follows the opcode (no modifiers); it may lie past line breaks.
                Advance();
            }
            else
            {
                // Everything up to opcodeEnd is one unbroken word on this line: skip its modifier tokens unread.
                _hasLookahead = false;
                _lexer.ResumeAt(opcodeEnd);
                _token = _lexer.Next();
            }
        }
        else
        {
            (opcode, modifiers) = DecodeOpcode(opcodeToken);
            _decodedOpcodes.Add(opcodeText.ToString(), (opcode, modifiers));
        }

        PtxOperand[] operands;
        if (_token.Is(';'))
        {
            operands = [];
        }
        else
        {
            var list = new List<PtxOperand>(4) { ParseOperand() };
            while (_token.Is(','))
            {
                Advance();
                list.Add(ParseOperand());
            }
            operands = [.. list];
        }
        Expect(';');

        return new PtxInstruction
        {
            Opcode = opcode, Modifiers = modifiers, Guard = guard, GuardNegated = guardNegated, Operands = operands,
            Line = opcodeToken.Line, Column = (guard is null ? opcodeToken : start).Column,
        };
    }

    private (IrOpcode, IrModifiers) DecodeOpcode(in PtxToken opcodeToken)
    {
        var opcode = PtxOpcodeDecoder.DecodeBase(Span(opcodeToken));
        if (opcode == IrOpcode.Invalid)
            throw Error(opcodeToken, $"unknown instruction '{Text(opcodeToken)}'");
        Advance();

        var modifiers = new IrModifiers { VectorWidth = 1 };
        // `bar` is `barrier.aligned` (PTX ISA): all threads of the warp execute the same barrier instruction.
        if (Span(opcodeToken) is "bar")
            modifiers.Flags |= IrFlags.Aligned;
        while (_token.Kind == PtxTokenKind.Directive && !_token.Spaced)
        {
            if (!PtxOpcodeDecoder.Apply(ref opcode, ref modifiers, Word(_token)))
                throw Error(_token, $"unknown modifier '{Text(_token)}' for '{Text(opcodeToken)}'");
            Advance();
        }
        return (opcode, modifiers);
    }

    private PtxOperand ParseOperand()
    {
        var start = _token;
        if (_token.Is('{'))
            return new PtxOperand(PtxOperandKind.Vector, null, 0, ParseOperandList('{', '}'));
        if (_token.Is('('))
            return new PtxOperand(PtxOperandKind.List, null, 0, ParseOperandList('(', ')'));
        if (_token.Is('['))
            return ParseAddress();
        if (_token.Is('!'))
        {
            Advance();
            return new PtxOperand(PtxOperandKind.Name, ParseName(), 0, null) { Negated = true };
        }
        if (_token.Kind == PtxTokenKind.Identifier)
        {
            if (_token.Length == 1 && _lexer.Text[_token.Start] == '_')
            {
                Advance();
                return new PtxOperand(PtxOperandKind.Sink, null, 0, null);
            }
            var name = ParseName();
            if (_token.Is('|'))
            {
                Advance();
                return new PtxOperand(PtxOperandKind.Name, name, 0, null) { PairName = ExpectIdentifier() };
            }
            if (_token.Is('+') && PeekIsNumber())
            {
                // `symbol+offset` as a value: the address of a variable plus a constant.
                Advance();
                return new PtxOperand(PtxOperandKind.NamePlusOffset, name, ExpectSignedInteger(), null);
            }
            return new PtxOperand(PtxOperandKind.Name, name, 0, null);
        }
        var immediate = ParseImmediate();
        if (immediate is null)
            throw Error(start, $"unexpected '{Text(start)}' in an operand");
        return immediate.Value;
    }

    /// <summary>A register or symbol name; special registers keep their component (<c>%tid.x</c>).</summary>
    private string ParseName()
    {
        var token = _token;
        if (token.Kind != PtxTokenKind.Identifier)
            throw Error(token, $"expected a name, found '{Text(token)}'");
        Advance();
        if (_token.Kind == PtxTokenKind.Directive && !_token.Spaced)
        {
            var suffix = _token;
            Advance();
            return Intern(_lexer.Text.AsSpan(token.Start, suffix.Start + suffix.Length - token.Start));
        }
        return Intern(token);
    }

    private PtxOperand[] ParseOperandList(char open, char close)
    {
        Expect(open);
        var elements = new List<PtxOperand>(4);
        if (!_token.Is(close))
        {
            elements.Add(ParseOperand());
            while (_token.Is(','))
            {
                Advance();
                elements.Add(ParseOperand());
            }
        }
        Expect(close);
        return [.. elements];
    }

    /// <summary><c>[%rd]</c>, <c>[%rd+16]</c>, <c>[%rd+-4]</c>, <c>[%rd-4]</c>, <c>[sym+8]</c>, <c>[1024]</c>.</summary>
    private PtxOperand ParseAddress()
    {
        var start = _token;
        Expect('[');
        string? name = null;
        long offset = 0;
        if (_token.Kind == PtxTokenKind.Identifier)
        {
            name = Intern(_token);
            Advance();
            if (_token.Is('+'))
            {
                Advance();
                offset = ExpectSignedInteger();
            }
            else if (_token.Is('-'))
            {
                Advance();
                offset = -ExpectInteger();
            }
        }
        else
        {
            offset = ExpectSignedInteger();
        }
        if (!_token.Is(']'))
            throw Error(_token, "malformed address: expected ']'");
        Advance();
        return new PtxOperand(PtxOperandKind.Address, name, offset, null);
    }

    private PtxOperand? ParseImmediate()
    {
        var negative = false;
        if (_token.Is('-'))
        {
            negative = true;
            Advance();
        }
        var token = _token;
        PtxOperand operand;
        switch (token.Kind)
        {
            case PtxTokenKind.Integer:
                operand = new PtxOperand(PtxOperandKind.Integer, null, negative ? -token.Value : token.Value, null);
                break;
            case PtxTokenKind.Float32:
                operand = new PtxOperand(PtxOperandKind.Float32, null, negative ? token.Value ^ 0x8000_0000L : token.Value, null);
                break;
            case PtxTokenKind.Float64:
                operand = new PtxOperand(PtxOperandKind.Float64, null, negative ? token.Value ^ long.MinValue : token.Value, null);
                break;
            default:
                if (negative)
                    throw Error(token, "expected a number after '-'");
                return null;
        }
        Advance();
        return operand;
    }

    private long ExpectSignedInteger()
    {
        var negative = false;
        if (_token.Is('-'))
        {
            negative = true;
            Advance();
        }
        var value = ExpectInteger();
        return negative ? -value : value;
    }

    private long ExpectInteger()
    {
        if (_token.Kind != PtxTokenKind.Integer)
            throw Error(_token, $"expected an integer, found '{Text(_token)}'");
        var value = _token.Value;
        Advance();
        return value;
    }

    private string ExpectIdentifier()
    {
        if (_token.Kind != PtxTokenKind.Identifier)
            throw Error(_token, $"expected a name, found '{Text(_token)}'");
        var name = Intern(_token);
        Advance();
        return name;
    }

    private void Expect(char punctuation)
    {
        if (!_token.Is(punctuation))
            throw Error(_token, $"expected '{punctuation}', found '{Text(_token)}'");
        Advance();
    }

    private void SkipToSemicolon()
    {
        while (!_token.Is(';'))
        {
            if (_token.Kind == PtxTokenKind.End)
                throw Error(_token, "expected ';'");
            Advance();
        }
        Advance();
    }

    /// <summary>Debug directives (<c>.file</c>, <c>.loc</c>) end at the end of their line and carry no semantics here.</summary>
    private void SkipRestOfLine(int line)
    {
        Advance();
        while (_token.Kind != PtxTokenKind.End && _token.Line == line)
            Advance();
    }

    private void Advance()
    {
        if (_hasLookahead)
        {
            _token = _lookahead;
            _hasLookahead = false;
        }
        else
        {
            _token = _lexer.Next();
        }
    }

    private ref readonly PtxToken Peek()
    {
        if (!_hasLookahead)
        {
            _lookahead = _lexer.Next();
            _hasLookahead = true;
        }
        return ref _lookahead;
    }

    private bool PeekIsLabelColon() => Peek().Is(':');

    private bool PeekIsNumber() => Peek().Kind == PtxTokenKind.Integer || Peek().Is('-');

    private static PtxSpace SpaceOf(ReadOnlySpan<char> word) => word switch
    {
        "reg" => PtxSpace.Reg,
        "global" => PtxSpace.Global,
        "shared" => PtxSpace.Shared,
        "local" => PtxSpace.Local,
        "param" => PtxSpace.Param,
        _ => PtxSpace.Const,
    };

    private ReadOnlySpan<char> Span(in PtxToken token) => _lexer.Span(token);

    /// <summary>A directive's word without the dot.</summary>
    private ReadOnlySpan<char> Word(in PtxToken token) => _lexer.Span(token)[1..];

    private string Text(in PtxToken token) => token.Kind == PtxTokenKind.End ? "end of text" : _lexer.Span(token).ToString();

    private string Intern(in PtxToken token) => Intern(_lexer.Span(token));

    private string Intern(ReadOnlySpan<char> span)
    {
        if (_nameLookup.TryGetValue(span, out var existing))
            return existing;
        var name = span.ToString();
        _names.Add(name, name);
        return name;
    }

    private PtxException Error(in PtxToken token, string reason) => new(PtxError.Invalid, token.Line, token.Column, reason);

    private static PtxException Unsupported(in PtxToken token, string reason) => new(PtxError.Unsupported, token.Line, token.Column, reason);
}
