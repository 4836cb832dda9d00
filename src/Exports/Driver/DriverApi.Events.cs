using Emulator.Driver;

namespace Emulator.Exports;

public static unsafe partial class DriverApi
{
    public static CuResult cuEventCreate(nint* phEvent, uint flags)
    {
        if (phEvent == null) return CuResult.InvalidValue;
        var result = Driver.CreateEvent(flags, out var handle);
        if (result == CuResult.Success) *phEvent = handle;
        return result;
    }

    public static CuResult cuEventDestroy_v2(nint hEvent) => Driver.DestroyEvent(hEvent);

    public static CuResult cuEventRecord(nint hEvent, nint hStream) => Driver.RecordEvent(hEvent, hStream, 0, false);
    public static CuResult cuEventRecord_ptsz(nint hEvent, nint hStream) => Driver.RecordEvent(hEvent, hStream, 0, true);
    public static CuResult cuEventRecordWithFlags(nint hEvent, nint hStream, uint flags) => Driver.RecordEvent(hEvent, hStream, flags, false);
    public static CuResult cuEventRecordWithFlags_ptsz(nint hEvent, nint hStream, uint flags) => Driver.RecordEvent(hEvent, hStream, flags, true);

    public static CuResult cuEventQuery(nint hEvent) => Driver.QueryEvent(hEvent);
    public static CuResult cuEventSynchronize(nint hEvent) => Driver.SynchronizeEvent(hEvent);

    public static CuResult cuEventElapsedTime(float* pMilliseconds, nint hStart, nint hEnd)
    {
        if (pMilliseconds == null) return CuResult.InvalidValue;
        var result = Driver.ElapsedTime(hStart, hEnd, out var milliseconds);
        if (result == CuResult.Success) *pMilliseconds = milliseconds;
        return result;
    }

    /// <summary>CUDA 12.8's name for the same computation.</summary>
    public static CuResult cuEventElapsedTime_v2(float* pMilliseconds, nint hStart, nint hEnd) => cuEventElapsedTime(pMilliseconds, hStart, hEnd);

    public static CuResult cuEventDestroy(nint hEvent) => cuEventDestroy_v2(hEvent);
}
