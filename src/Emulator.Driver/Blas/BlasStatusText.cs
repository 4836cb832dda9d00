namespace Emulator.Driver.Blas;

/// <summary><c>cublasGetStatusName</c> / <c>cublasGetStatusString</c>: NVIDIA's texts, as NUL-terminated strings that live for the process.</summary>
public static class BlasStatusText
{
    private static readonly Dictionary<CublasStatus, (string Name, string Text)> Texts = new()
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
    };

    private const string UnknownName = "CUBLAS_STATUS_UNKNOWN";
    private const string UnknownText = "unknown error";

    private static readonly StatusTextTable<CublasStatus> Table = new(Texts, UnknownName, UnknownText);

    public static string Name(CublasStatus status) => Table.Name(status) ?? UnknownName;

    public static string Text(CublasStatus status) => Table.Text(status) ?? UnknownText;

    public static unsafe byte* NamePointer(CublasStatus status) => Table.NamePointer(status);

    public static unsafe byte* TextPointer(CublasStatus status) => Table.TextPointer(status);
}
