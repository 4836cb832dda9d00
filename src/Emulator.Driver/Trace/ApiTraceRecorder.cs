using System.Text;

namespace Emulator.Driver.Trace;

/// <summary>
/// Formats and writes API-trace lines: <c>#seq tN name(arg=value, ...) -> result</c>. Deterministic by construction:
/// the sequence counts calls, threads are numbered in order of their first traced call, and nothing that varies
/// between runs is printed (host pointers print as <c>host</c>, function pointers too; device addresses and
/// handles print in hex, so the models behind them must hand out deterministic values). A line is written when its
/// call returns, so a call made from inside another (a host function running during cuLaunchHostFunc) comes first.
/// </summary>
public sealed class ApiTraceRecorder(TextWriter writer)
{
    private readonly Lock _gate = new();
    private readonly ThreadLocal<int> _threadIndex = new(() => -1);
    private long _sequence;
    private int _threads;

    /// <summary>Whether an address is device memory (printed in hex) rather than host memory (printed as <c>host</c>).</summary>
    public Func<ulong, bool> IsDeviceAddress { get; set; } = DeviceAddressWindow.Contains;

    public TraceCall Begin(string name) => new(this, name);

    internal void Write(StringBuilder call)
    {
        int thread = _threadIndex.Value;
        lock (_gate)
        {
            if (thread < 0) _threadIndex.Value = thread = _threads++;
            writer.Write('#');
            writer.Write(_sequence++);
            writer.Write(" t");
            writer.Write(thread);
            writer.Write(' ');
            writer.WriteLine(call);
            writer.Flush();
        }
    }
}

/// <summary>
/// The address window unified device addresses come from (docs/ARCHITECTURE.md: a reservation at
/// 0x2000_0000_0000). Used to print device pointers passed as <c>void*</c> in hex and host pointers as <c>host</c>.
/// </summary>
public static class DeviceAddressWindow
{
    public const ulong Base = 0x2000_0000_0000;
    public const ulong Size = 0x1000_0000_0000;

    public static bool Contains(ulong address) => address - Base < Size;
}
