namespace Emulator.Kernels.Ptx;

internal enum PtxTokenKind : byte
{
    End,
    /// <summary>Letters, digits, <c>_ $ %</c>: opcodes, registers, symbols, labels.</summary>
    Identifier,
    /// <summary>A dot word such as <c>.reg</c>, <c>.f32</c> or <c>.L2::128B</c> (<c>::</c> belongs to the word).</summary>
    Directive,
    Integer,
    /// <summary><c>0fXXXXXXXX</c>: IEEE single bits.</summary>
    Float32,
    /// <summary><c>0dXXXXXXXXXXXXXXXX</c> or a decimal literal with a point or exponent: IEEE double.</summary>
    Float64,
    String,
    Punctuation,
}

internal struct PtxToken
{
    public PtxTokenKind Kind;
    public int Start;
    public int Length;
    public int Line;
    public int Column;
    /// <summary>Whitespace or a comment separates this token from the previous one.</summary>
    public bool Spaced;
    /// <summary>Integer value, or the bits of a float literal.</summary>
    public long Value;

    public readonly bool Is(char punctuation) => Kind == PtxTokenKind.Punctuation && Length == 1 && Value == punctuation;
}

/// <summary>
/// Splits PTX text into tokens. Statement boundaries are not lines (ANALYSIS.md §3.1): the parser works on tokens
/// and splits on <c>;</c>, so several statements per line and statements across lines need no special handling.
/// </summary>
internal sealed class PtxLexer(string text)
{
    private readonly string _text = text;
    private int _position;
    private int _line = 1;
    private int _lineStart;

    public string Text => _text;

    public ReadOnlySpan<char> Span(in PtxToken token) => _text.AsSpan(token.Start, token.Length);

    public PtxToken Next()
    {
        var spaced = SkipWhitespaceAndComments();
        var token = new PtxToken { Start = _position, Line = _line, Column = _position - _lineStart + 1, Spaced = spaced };
        if (_position >= _text.Length)
        {
            token.Kind = PtxTokenKind.End;
            return token;
        }

        var c = _text[_position];
        if (IsIdentifierStart(c))
        {
            _position++;
            while (_position < _text.Length && IsIdentifierPart(_text[_position]))
                _position++;
            token.Kind = PtxTokenKind.Identifier;
        }
        else if (c == '.' && _position + 1 < _text.Length && IsIdentifierPart(_text[_position + 1]))
        {
            _position++;
            while (_position < _text.Length)
            {
                var d = _text[_position];
                if (IsIdentifierPart(d))
                    _position++;
                else if (d == ':' && _position + 2 < _text.Length && _text[_position + 1] == ':' && IsIdentifierPart(_text[_position + 2]))
                    _position += 2;
                else
                    break;
            }
            token.Kind = PtxTokenKind.Directive;
        }
        else if (char.IsAsciiDigit(c))
        {
            LexNumber(ref token);
        }
        else if (c == '"')
        {
            _position++;
            while (_position < _text.Length && _text[_position] != '"')
            {
                if (_text[_position] == '\n')
                    throw Error(token, "unterminated string");
                _position++;
            }
            if (_position >= _text.Length)
                throw Error(token, "unterminated string");
            _position++;
            token.Kind = PtxTokenKind.String;
        }
        else if ("{}[]()<>,;:+-|!@=".Contains(c))
        {
            _position++;
            token.Kind = PtxTokenKind.Punctuation;
            token.Value = c;
        }
        else
        {
            throw Error(token, $"unexpected character '{c}'");
        }

        token.Length = _position - token.Start;
        return token;
    }

    /// <summary>
    /// End of the opcode word starting at <paramref name="start"/> together with its dot-modifiers written without
    /// spaces (<c>cp.async.cg.shared.global.L2::128B</c>): the same extent the token sequence Identifier, Directive... covers.
    /// </summary>
    public int ScanOpcodeEnd(int start)
    {
        var text = _text;
        var position = start;
        while (position < text.Length && IsIdentifierPart(text[position]))
            position++;
        while (position + 1 < text.Length && text[position] == '.' && IsIdentifierPart(text[position + 1]))
        {
            position++;
            while (position < text.Length)
            {
                var c = text[position];
                if (IsIdentifierPart(c))
                    position++;
                else if (c == ':' && position + 2 < text.Length && text[position + 1] == ':' && IsIdentifierPart(text[position + 2]))
                    position += 2;
                else
                    break;
            }
        }
        return position;
    }

    /// <summary>Continues lexing at <paramref name="position"/>, which must lie on the current line after the last token.</summary>
    public void ResumeAt(int position) => _position = position;

    public PtxException Error(in PtxToken token, string reason) => new(PtxError.Invalid, token.Line, token.Column, reason);

    private bool SkipWhitespaceAndComments()
    {
        var start = _position;
        var text = _text;
        while (_position < text.Length)
        {
            var c = text[_position];
            if (c == '\n')
            {
                _position++;
                _line++;
                _lineStart = _position;
            }
            else if (c is ' ' or '\t' or '\r' or '\f' or '\v' or '\0')
            {
                _position++;
            }
            else if (c == '/' && _position + 1 < text.Length && text[_position + 1] == '/')
            {
                var end = text.IndexOf('\n', _position);
                _position = end < 0 ? text.Length : end;
            }
            else if (c == '/' && _position + 1 < text.Length && text[_position + 1] == '*')
            {
                var end = text.IndexOf("*/", _position + 2, StringComparison.Ordinal);
                if (end < 0)
                    throw new PtxException(PtxError.Invalid, _line, _position - _lineStart + 1, "unterminated comment");
                for (var i = _position; i < end; i++)
                {
                    if (text[i] == '\n')
                    {
                        _line++;
                        _lineStart = i + 1;
                    }
                }
                _position = end + 2;
            }
            else
            {
                break;
            }
        }
        return _position != start;
    }

    private void LexNumber(ref PtxToken token)
    {
        var text = _text;
        var start = _position;
        if (text[start] == '0' && start + 1 < text.Length)
        {
            var prefix = text[start + 1];
            if (prefix is 'f' or 'F' or 'd' or 'D')
            {
                var digits = prefix is 'f' or 'F' ? 8 : 16;
                if (start + 2 + digits <= text.Length && AllHex(text.AsSpan(start + 2, digits))
                    && (start + 2 + digits == text.Length || !IsIdentifierPart(text[start + 2 + digits])))
                {
                    token.Kind = digits == 8 ? PtxTokenKind.Float32 : PtxTokenKind.Float64;
                    token.Value = (long)ulong.Parse(text.AsSpan(start + 2, digits), System.Globalization.NumberStyles.AllowHexSpecifier);
                    _position = start + 2 + digits;
                    return;
                }
                throw Error(token, "malformed floating-point literal");
            }
            if (prefix is 'x' or 'X' or 'b' or 'B')
            {
                var hex = prefix is 'x' or 'X';
                var p = start + 2;
                ulong value = 0;
                var any = false;
                while (p < text.Length)
                {
                    var digit = HexValue(text[p]);
                    if (digit < 0 || (!hex && digit > 1))
                        break;
                    value = hex ? (value << 4) | (uint)digit : (value << 1) | (uint)digit;
                    any = true;
                    p++;
                }
                if (!any)
                    throw Error(token, "malformed integer literal");
                _position = SkipUnsignedSuffix(p);
                token.Kind = PtxTokenKind.Integer;
                token.Value = (long)value;
                return;
            }
        }

        var end = start;
        while (end < text.Length && char.IsAsciiDigit(text[end]))
            end++;
        var isFloat = false;
        if (end < text.Length && text[end] == '.' && end + 1 < text.Length && char.IsAsciiDigit(text[end + 1]))
        {
            isFloat = true;
            end++;
            while (end < text.Length && char.IsAsciiDigit(text[end]))
                end++;
        }
        if (end < text.Length && text[end] is 'e' or 'E')
        {
            var exponent = end + 1;
            if (exponent < text.Length && text[exponent] is '+' or '-')
                exponent++;
            if (exponent < text.Length && char.IsAsciiDigit(text[exponent]))
            {
                isFloat = true;
                end = exponent;
                while (end < text.Length && char.IsAsciiDigit(text[end]))
                    end++;
            }
        }

        var literal = text.AsSpan(start, end - start);
        if (isFloat)
        {
            token.Kind = PtxTokenKind.Float64;
            token.Value = BitConverter.DoubleToInt64Bits(double.Parse(literal, System.Globalization.CultureInfo.InvariantCulture));
            _position = end;
            return;
        }

        ulong integer = 0;
        var octal = literal.Length > 1 && literal[0] == '0';
        foreach (var digit in literal)
        {
            if (octal && digit > '7')
                throw Error(token, "malformed octal literal");
            integer = octal ? integer * 8 + (ulong)(digit - '0') : unchecked(integer * 10 + (ulong)(digit - '0'));
        }
        _position = SkipUnsignedSuffix(end);
        if (_position < text.Length && IsIdentifierPart(text[_position]))
            throw Error(token, "malformed number");
        token.Kind = PtxTokenKind.Integer;
        token.Value = (long)integer;
    }

    private int SkipUnsignedSuffix(int position) =>
        position < _text.Length && _text[position] is 'U' or 'u' ? position + 1 : position;

    private static bool AllHex(ReadOnlySpan<char> digits)
    {
        foreach (var digit in digits)
        {
            if (!char.IsAsciiHexDigit(digit))
                return false;
        }
        return true;
    }

    private static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };

    private static bool IsIdentifierStart(char c) => char.IsAsciiLetter(c) || c is '_' or '$' or '%';

    private static bool IsIdentifierPart(char c) => char.IsAsciiLetterOrDigit(c) || c is '_' or '$' or '%';
}
