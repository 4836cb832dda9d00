using System.Globalization;
using System.Text;

namespace Emulator.Driver.Trace;

/// <summary>
/// One call's trace line under construction. The generated wrappers add the arguments after the call, so an output
/// parameter shows the value written (only when the call succeeded: a failed call's outputs are undefined).
/// </summary>
public readonly unsafe struct TraceCall
{
    private const int MaxStringBytes = 256;
    private readonly ApiTraceRecorder _recorder;
    private readonly StringBuilder _line;
    private readonly int _argumentsStart;

    internal TraceCall(ApiTraceRecorder recorder, string name)
    {
        _recorder = recorder;
        _line = new StringBuilder(128).Append(name).Append('(');
        _argumentsStart = _line.Length;
    }

    private StringBuilder Name(string name)
    {
        if (_line.Length > _argumentsStart) _line.Append(", ");
        return _line.Append(name).Append('=');
    }

    public void Signed(string name, long value) => Name(name).Append(value.ToString(CultureInfo.InvariantCulture));
    public void Unsigned(string name, ulong value) => Name(name).Append(value.ToString(CultureInfo.InvariantCulture));
    public void Hex(string name, ulong value) => Name(name).Append(HexText(value));
    public void Float(string name, double value) => Name(name).Append(value.ToString("R", CultureInfo.InvariantCulture));
    public void Text(string name, string value) => Name(name).Append(value);
    public void Handle(string name, nint value) => Name(name).Append(value == 0 ? "null" : HexText((ulong)value));
    public void Address(string name, void* value) => Name(name).Append(AddressText(value));
    public void String(string name, byte* value) => Name(name).Append(value == null ? "null" : Quote(value));

    /// <summary>A caller-provided buffer the call fills with a string (cuDeviceGetName).</summary>
    public void OutString(string name, byte* value, bool ok) =>
        Name(name).Append(ok && value != null ? Quote(value) : AddressText(value));

    public void OutSigned(string name, void* target, bool ok, long value) =>
        Out(name, target, ok, value.ToString(CultureInfo.InvariantCulture));
    public void OutUnsigned(string name, void* target, bool ok, ulong value) =>
        Out(name, target, ok, value.ToString(CultureInfo.InvariantCulture));
    public void OutHex(string name, void* target, bool ok, ulong value) => Out(name, target, ok, HexText(value));
    public void OutFloat(string name, void* target, bool ok, double value) =>
        Out(name, target, ok, value.ToString("R", CultureInfo.InvariantCulture));
    public void OutText(string name, void* target, bool ok, string value) => Out(name, target, ok, value);
    public void OutHandle(string name, void* target, bool ok, nint value) =>
        Out(name, target, ok, value == 0 ? "null" : HexText((ulong)value));

    /// <summary>A <c>void**</c> the call fills with an address (cudaMalloc: device, cudaMallocHost: host).</summary>
    public void OutAddress(string name, void** target, bool ok) =>
        Out(name, target, ok, ok && target != null ? AddressText(*target) : "");

    private void Out(string name, void* target, bool ok, string value)
    {
        var line = Name(name);
        if (target == null) line.Append("null");
        else if (ok) line.Append('&').Append(value);
        else line.Append("&?");
    }

    public void End(string result) => _recorder.Write(_line.Append(") -> ").Append(result));
    public void End() => _recorder.Write(_line.Append(')'));
    public void EndString(byte* result) => End(result == null ? "null" : Quote(result));
    public void EndAddress(void* result) => End(AddressText(result));

    private string AddressText(void* value)
    {
        if (value == null) return "null";
        return _recorder.IsDeviceAddress((ulong)value) ? HexText((ulong)value) : "host";
    }

    private static string HexText(ulong value) => "0x" + value.ToString("x", CultureInfo.InvariantCulture);

    private static string Quote(byte* value)
    {
        int length = 0;
        while (length < MaxStringBytes && value[length] != 0) length++;
        var text = Encoding.UTF8.GetString(value, length);
        var quoted = new StringBuilder(text.Length + 2).Append('"');
        foreach (char c in text)
        {
            if (c is '"' or '\\') quoted.Append('\\').Append(c);
            else if (c < ' ') quoted.Append("\\x").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture));
            else quoted.Append(c);
        }
        if (length == MaxStringBytes) quoted.Append("...");
        return quoted.Append('"').ToString();
    }
}
