using System.Globalization;
using System.Text;

namespace Emulator.Kernels.Engine.Interpreter;

/// <summary>
/// Formats a device printf call like the CUDA runtime does on the host: the argument buffer packs each
/// argument at its natural alignment (int 4 bytes, long/pointer/double 8 bytes; float arguments were
/// promoted to double by the compiler), and the C conversion specifiers apply.
/// </summary>
static class DevicePrintf
{
    public sealed class ArgumentReader(Func<int, int, ulong> read, Func<ulong, string> readString)
    {
        int offset;

        public ulong Next(int size)
        {
            offset = (offset + size - 1) / size * size;
            ulong value = read(offset, size);
            offset += size;
            return value;
        }

        public string String(ulong address) => address == 0 ? "(null)" : readString(address);
    }

    public static string Format(string format, ArgumentReader arguments, out int length)
    {
        var output = new StringBuilder();
        for (int i = 0; i < format.Length; i++)
        {
            char c = format[i];
            if (c != '%') { output.Append(c); continue; }
            int start = i;
            i++;
            if (i < format.Length && format[i] == '%') { output.Append('%'); continue; }
            string flags = "";
            while (i < format.Length && "-+ #0".Contains(format[i])) flags += format[i++];
            int? width = ReadNumber(format, ref i, arguments);
            int? precision = null;
            if (i < format.Length && format[i] == '.')
            {
                i++;
                precision = ReadNumber(format, ref i, arguments) ?? 0;
            }
            int longness = 0;
            while (i < format.Length && "hlLqjzt".Contains(format[i]))
            {
                if (format[i] is 'l' or 'L' or 'q' or 'j' or 'z' or 't') longness++;
                i++;
            }
            if (i >= format.Length) { output.Append(format, start, format.Length - start); break; }
            char conversion = format[i];
            string body = conversion switch
            {
                'd' or 'i' => FormatInteger(longness > 0 ? (long)arguments.Next(8) : (int)arguments.Next(4), flags, precision),
                'u' => FormatUnsigned(longness > 0 ? arguments.Next(8) : (uint)arguments.Next(4), 10, false, flags, precision),
                'x' or 'X' => FormatUnsigned(longness > 0 ? arguments.Next(8) : (uint)arguments.Next(4), 16, conversion == 'X', flags, precision),
                'o' => FormatUnsigned(longness > 0 ? arguments.Next(8) : (uint)arguments.Next(4), 8, false, flags, precision),
                'c' => ((char)(byte)arguments.Next(4)).ToString(),
                's' => Truncate(arguments.String(arguments.Next(8)), precision),
                'p' => "0x" + arguments.Next(8).ToString("x", CultureInfo.InvariantCulture),
                'f' or 'F' or 'e' or 'E' or 'g' or 'G' => FormatFloat(BitConverter.UInt64BitsToDouble(arguments.Next(8)), conversion, flags, precision ?? 6),
                _ => format.Substring(start, i - start + 1),
            };
            output.Append(Pad(body, width ?? 0, flags));
        }
        length = Encoding.UTF8.GetByteCount(output.ToString());
        return output.ToString();
    }

    static int? ReadNumber(string format, ref int i, ArgumentReader arguments)
    {
        if (i < format.Length && format[i] == '*') { i++; return (int)arguments.Next(4); }
        int begin = i;
        while (i < format.Length && char.IsAsciiDigit(format[i])) i++;
        return i > begin ? int.Parse(format.AsSpan(begin, i - begin), CultureInfo.InvariantCulture) : null;
    }

    static string Truncate(string text, int? precision) => precision is int p && p < text.Length ? text[..p] : text;

    static string Sign(bool negative, string flags) => negative ? "-" : flags.Contains('+') ? "+" : flags.Contains(' ') ? " " : "";

    static string FormatInteger(long value, string flags, int? precision)
    {
        string digits = value == long.MinValue ? "9223372036854775808" : Math.Abs(value).ToString(CultureInfo.InvariantCulture);
        if (precision is int p) digits = p == 0 && value == 0 ? "" : digits.PadLeft(p, '0');
        return Sign(value < 0, flags) + digits;
    }

    static string FormatUnsigned(ulong value, int radix, bool upper, string flags, int? precision)
    {
        string digits = radix switch
        {
            16 => value.ToString(upper ? "X" : "x", CultureInfo.InvariantCulture),
            8 => Convert.ToString((long)value, 8),
            _ => value.ToString(CultureInfo.InvariantCulture),
        };
        if (precision is int p) digits = p == 0 && value == 0 ? "" : digits.PadLeft(p, '0');
        if (flags.Contains('#') && value != 0) digits = radix == 16 ? (upper ? "0X" : "0x") + digits : radix == 8 ? "0" + digits : digits;
        return digits;
    }

    static string FormatFloat(double value, char conversion, string flags, int precision)
    {
        bool upper = char.IsUpper(conversion);
        if (double.IsNaN(value)) return (upper ? "NAN" : "nan");
        if (double.IsInfinity(value)) return Sign(value < 0, flags) + (upper ? "INF" : "inf");
        string sign = Sign(double.IsNegative(value), flags);
        double magnitude = Math.Abs(value);
        string body = char.ToLowerInvariant(conversion) switch
        {
            'f' => magnitude.ToString("F" + precision, CultureInfo.InvariantCulture),
            'e' => Exponential(magnitude, precision),
            _ => General(magnitude, precision == 0 ? 1 : precision, flags.Contains('#')),
        };
        return sign + (upper ? body.ToUpperInvariant() : body);
    }

    /// <summary>C's %e: d.ddddde±XX with at least two exponent digits.</summary>
    static string Exponential(double magnitude, int precision)
    {
        string text = magnitude.ToString((precision == 0 ? "0" : "0." + new string('0', precision)) + "e+00", CultureInfo.InvariantCulture);
        return text;
    }

    /// <summary>C's %g: %e if the exponent is &lt; -4 or ≥ precision, else %f; trailing zeros removed unless '#'.</summary>
    static string General(double magnitude, int precision, bool keepZeros)
    {
        if (magnitude == 0) return keepZeros ? "0." + new string('0', precision - 1) : "0";
        string exponential = Exponential(magnitude, precision - 1);
        int exponent = int.Parse(exponential[(exponential.IndexOf('e') + 1)..], CultureInfo.InvariantCulture);
        string text;
        if (exponent < -4 || exponent >= precision)
        {
            text = exponential;
            if (!keepZeros)
            {
                int e = text.IndexOf('e');
                string mantissa = text[..e];
                if (mantissa.Contains('.')) mantissa = mantissa.TrimEnd('0').TrimEnd('.');
                text = mantissa + text[e..];
            }
        }
        else
        {
            text = magnitude.ToString("F" + Math.Max(precision - 1 - exponent, 0), CultureInfo.InvariantCulture);
            if (!keepZeros && text.Contains('.')) text = text.TrimEnd('0').TrimEnd('.');
        }
        return text;
    }

    static string Pad(string body, int width, string flags)
    {
        if (body.Length >= width) return body;
        if (flags.Contains('-')) return body.PadRight(width);
        if (flags.Contains('0') && body.Length > 0 && (char.IsAsciiDigit(body[^1]) || body[^1] == '.'))
        {
            int signLength = body.Length > 0 && body[0] is '-' or '+' or ' ' ? 1 : 0;
            return body[..signLength] + body[signLength..].PadLeft(width - signLength, '0');
        }
        return body.PadLeft(width);
    }
}
