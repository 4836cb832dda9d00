namespace Emulator.Kernels.Ptx;

public enum PtxError
{
    /// <summary>The text is not valid PTX (the driver answers CUDA_ERROR_INVALID_PTX).</summary>
    Invalid,
    /// <summary>Valid PTX that this front end does not implement (answered as CUDA_ERROR_INVALID_PTX too, with this reason in the log).</summary>
    Unsupported,
    /// <summary>A <c>.version</c> newer than the front end knows (CUDA_ERROR_UNSUPPORTED_PTX_VERSION).</summary>
    UnsupportedVersion,
}

/// <summary>A PTX text could not be parsed or lowered; <see cref="Line"/>/<see cref="Column"/> are 1-based.</summary>
public sealed class PtxException(PtxError error, int line, int column, string reason)
    : Exception($"PTX {line}:{column}: {reason}")
{
    public PtxError Error { get; } = error;
    public int Line { get; } = line;
    public int Column { get; } = column;
    public string Reason { get; } = reason;
}
