using System.Collections.Frozen;
using System.Runtime.InteropServices;
using System.Text;

namespace Emulator.Driver;

/// <summary>
/// Name and description of each value of a library's status enum, plus NUL-terminated UTF-8 copies for the C ABI
/// (<c>cuGetErrorString</c>, <c>cudaGetErrorString</c>, <c>cublasGetStatusName</c>, <c>nvmlErrorString</c>, ...):
/// callers keep those <c>const char*</c> forever, so the copies are made once and never freed. Values outside the
/// table answer the given fallbacks; a library that answers "no text" instead (libcuda) passes none and gets null.
/// </summary>
public sealed class StatusTextTable<TStatus> where TStatus : struct, Enum
{
    private readonly FrozenDictionary<TStatus, (string Name, string Text)> _texts;
    private readonly FrozenDictionary<TStatus, nint> _nativeNames;
    private readonly FrozenDictionary<TStatus, nint> _nativeTexts;
    private readonly string? _unknownName;
    private readonly string? _unknownText;
    private readonly nint _nativeUnknownName;
    private readonly nint _nativeUnknownText;

    public StatusTextTable(IReadOnlyDictionary<TStatus, (string Name, string Text)> texts, string? unknownName = null, string? unknownText = null)
    {
        _texts = texts.ToFrozenDictionary();
        _nativeNames = _texts.ToFrozenDictionary(static kv => kv.Key, static kv => AllocateUtf8(kv.Value.Name));
        _nativeTexts = _texts.ToFrozenDictionary(static kv => kv.Key, static kv => AllocateUtf8(kv.Value.Text));
        _unknownName = unknownName;
        _unknownText = unknownText;
        _nativeUnknownName = unknownName is null ? 0 : AllocateUtf8(unknownName);
        _nativeUnknownText = unknownText is null ? 0 : unknownText == unknownName ? _nativeUnknownName : AllocateUtf8(unknownText);
    }

    /// <summary>The values that have texts, in ascending numeric order.</summary>
    public IReadOnlyList<TStatus> Known => _texts.Keys.Order().ToArray();

    /// <summary>The value's name, else the fallback name (null when the table has none).</summary>
    public string? Name(TStatus status) => _texts.TryGetValue(status, out var t) ? t.Name : _unknownName;

    /// <summary>The value's description, else the fallback text (null when the table has none).</summary>
    public string? Text(TStatus status) => _texts.TryGetValue(status, out var t) ? t.Text : _unknownText;

    public unsafe byte* NamePointer(TStatus status) =>
        (byte*)(_nativeNames.TryGetValue(status, out var p) ? p : _nativeUnknownName);

    public unsafe byte* TextPointer(TStatus status) =>
        (byte*)(_nativeTexts.TryGetValue(status, out var p) ? p : _nativeUnknownText);

    private static unsafe nint AllocateUtf8(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var native = (byte*)NativeMemory.Alloc((nuint)bytes.Length + 1);
        bytes.CopyTo(new Span<byte>(native, bytes.Length));
        native[bytes.Length] = 0;
        return (nint)native;
    }
}
