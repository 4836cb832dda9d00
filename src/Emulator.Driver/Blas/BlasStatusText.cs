using System.Collections.Frozen;
using System.Runtime.InteropServices;
using System.Text;

namespace Emulator.Driver.Blas;

/// <summary><c>cublasGetStatusName</c> / <c>cublasGetStatusString</c>: NVIDIA's texts, as NUL-terminated strings that live for the process.</summary>
public static class BlasStatusText
{
    private static readonly FrozenDictionary<CublasStatus, (string Name, string Text)> Texts = new Dictionary<CublasStatus, (string, string)>
    {
        [CublasStatus.Success] = ("CUBLAS_STATUS_SUCCESS", "the operation completed successfully"),
        [CublasStatus.NotInitialized] = ("CUBLAS_STATUS_NOT_INITIALIZED", "the library was not initialized"),
        [CublasStatus.AllocFailed] = ("CUBLAS_STATUS_ALLOC_FAILED", "the resource allocation failed"),
        [CublasStatus.InvalidValue] = ("CUBLAS_STATUS_INVALID_VALUE", "an invalid numeric value was used as an argument"),
        [CublasStatus.ArchMismatch] = ("CUBLAS_STATUS_ARCH_MISMATCH", "an absent device architectural feature is required"),
        [CublasStatus.MappingError] = ("CUBLAS_STATUS_MAPPING_ERROR", "an access to GPU memory space failed"),
        [CublasStatus.ExecutionFailed] = ("CUBLAS_STATUS_EXECUTION_FAILED", "the GPU program failed to execute"),
        [CublasStatus.InternalError] = ("CUBLAS_STATUS_INTERNAL_ERROR", "an internal operation failed"),
        [CublasStatus.NotSupported] = ("CUBLAS_STATUS_NOT_SUPPORTED", "the functionality requested is not supported"),
        [CublasStatus.LicenseError] = ("CUBLAS_STATUS_LICENSE_ERROR", "error detected trying to check the license"),
    }.ToFrozenDictionary();

    private const string UnknownName = "CUBLAS_STATUS_UNKNOWN";
    private const string UnknownText = "unknown error";

    private static readonly FrozenDictionary<CublasStatus, nint> NativeNames = ToNative(t => t.Name);
    private static readonly FrozenDictionary<CublasStatus, nint> NativeTexts = ToNative(t => t.Text);
    private static readonly nint NativeUnknownName = AllocateUtf8(UnknownName);
    private static readonly nint NativeUnknownText = AllocateUtf8(UnknownText);

    public static string Name(CublasStatus status) => Texts.TryGetValue(status, out var t) ? t.Name : UnknownName;

    public static string Text(CublasStatus status) => Texts.TryGetValue(status, out var t) ? t.Text : UnknownText;

    public static unsafe byte* NamePointer(CublasStatus status) =>
        (byte*)(NativeNames.TryGetValue(status, out var p) ? p : NativeUnknownName);

    public static unsafe byte* TextPointer(CublasStatus status) =>
        (byte*)(NativeTexts.TryGetValue(status, out var p) ? p : NativeUnknownText);

    private static FrozenDictionary<CublasStatus, nint> ToNative(Func<(string Name, string Text), string> pick) =>
        Texts.ToFrozenDictionary(static kv => kv.Key, kv => AllocateUtf8(pick(kv.Value)));

    private static unsafe nint AllocateUtf8(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var native = (byte*)NativeMemory.Alloc((nuint)bytes.Length + 1);
        bytes.CopyTo(new Span<byte>(native, bytes.Length));
        native[bytes.Length] = 0;
        return (nint)native;
    }
}
