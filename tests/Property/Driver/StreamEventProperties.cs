using Emulator.Driver;
using Emulator.Driver.Events;
using Emulator.Driver.Personas;
using Emulator.Driver.Streams;
using Emulator.Memory;
using FsCheck;
using FsCheck.Fluent;
using Stream = Emulator.Driver.Streams.Stream;

namespace Emulator.Tests.Property.Driver;

/// <summary>
/// Streams and events against a model of eager in-order execution: the device clock is the sum of the modelled
/// costs of every operation so far, host functions run in program order before the call returns, and an event's
/// elapsed time is the model clock difference between its records.
/// </summary>
public sealed class StreamEventProperties
{
    private enum Op { Copy, HostFunction, Record, Wait, Synchronize }

    private const ulong BufferBytes = 1 << 20;

    /// <summary>The cost model as documented in the persona JSON: overhead + bytes moved (read and write) over bandwidth.</summary>
    private static long DeviceCopyNanoseconds(CostModel model, ulong bytes) =>
        model.OperationOverheadNanoseconds + (long)Math.Ceiling(2.0 * bytes * 1e9 / model.DeviceMemoryBytesPerSecond);

    [Fact]
    public void Clock_events_and_host_functions_follow_the_model()
    {
        var steps = Gen.Choose(0, 4).Zip(Gen.Choose(0, 3)).Zip(Gen.Choose(0, (int)BufferBytes / 2))
            .Select(t => ((Op)t.Item1.Item1, t.Item1.Item2, (ulong)t.Item2)).ListOf().Select(l => l.ToArray());
        Prop.ForAll(steps.ToArbitrary(), sequence =>
        {
            using var driver = TestDrivers.Initialized();
            driver.CreateContext(0, 0, out var context).ShouldBe(CuResult.Success);
            try
            {
                var model = driver.Devices[0].Persona.CostModel;
                driver.MemAlloc(BufferBytes, out var buffer).ShouldBe(CuResult.Success);
                // Streams: legacy, per-thread, one blocking, one non-blocking with high priority.
                driver.CreateStream(StreamFlags.Default, 0, out var blocking).ShouldBe(CuResult.Success);
                driver.CreateStream(StreamFlags.NonBlocking, -3, out var nonBlocking).ShouldBe(CuResult.Success);
                var streams = new[] { StreamHandles.Legacy, StreamHandles.PerThread, blocking, nonBlocking };
                var events = new nint[4];
                for (var i = 0; i < events.Length; i++) driver.CreateEvent(0, out events[i]).ShouldBe(CuResult.Success);

                var clock = driver.Devices[0].Clock.Now;
                var recordedAt = new long?[4];
                var hostCalls = new List<int>();
                var issued = 0;
                foreach (var (op, which, bytes) in sequence)
                {
                    var before = driver.Devices[0].Clock.Now;
                    switch (op)
                    {
                        case Op.Copy:
                            if (driver.MemCopy(streams[which], false, buffer + BufferBytes / 2, OperandKind.Device, buffer, OperandKind.Device, bytes) != CuResult.Success)
                                return false.Label("copy failed");
                            clock += DeviceCopyNanoseconds(model, bytes);
                            break;
                        case Op.HostFunction:
                            var id = issued++;
                            if (driver.LaunchHostFunction(streams[which], false, () => hostCalls.Add(id)) != CuResult.Success)
                                return false.Label("host function failed");
                            if (hostCalls.Count != issued || hostCalls[^1] != id) return false.Label("host function not run in order");
                            clock += model.OperationOverheadNanoseconds;
                            break;
                        case Op.Record:
                            if (driver.RecordEvent(events[which], streams[(which + 1) % 4], 0, false) != CuResult.Success)
                                return false.Label("record failed");
                            recordedAt[which] = clock;
                            break;
                        case Op.Wait:
                            if (driver.StreamWaitEvent(streams[which], events[(which + 2) % 4], 0, false) != CuResult.Success)
                                return false.Label("wait failed");
                            break;
                        default:
                            if (driver.SynchronizeStream(streams[which], false) != CuResult.Success || driver.QueryStream(streams[which], false) != CuResult.Success)
                                return false.Label("synchronize failed");
                            break;
                    }
                    var now = driver.Devices[0].Clock.Now;
                    if (now < before) return false.Label("virtual clock went backwards");
                    if (now != clock) return false.Label($"{op}: clock {now}, model {clock}");
                }

                for (var a = 0; a < 4; a++)
                for (var b = 0; b < 4; b++)
                {
                    var result = driver.ElapsedTime(events[a], events[b], out var ms);
                    if (recordedAt[a] is null || recordedAt[b] is null)
                    {
                        if (result != CuResult.InvalidHandle) return false.Label("an unrecorded event must be INVALID_HANDLE");
                        continue;
                    }
                    var expected = (recordedAt[b]!.Value - recordedAt[a]!.Value) / 1e6;
                    if (result != CuResult.Success || Math.Abs(ms - expected) > 1e-6 + Math.Abs(expected) * 1e-6)
                        return false.Label($"elapsed {ms} ms, model {expected} ms");
                }
                return true.ToProperty();
            }
            finally
            {
                driver.DestroyContext(context);
            }
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Elapsed_time_rules()
    {
        using var driver = TestDrivers.Initialized();
        driver.CreateContext(0, 0, out var context).ShouldBe(CuResult.Success);
        driver.CreateEvent(EventFlags.Default, out var start).ShouldBe(CuResult.Success);
        driver.CreateEvent(EventFlags.BlockingSync, out var end).ShouldBe(CuResult.Success);
        driver.CreateEvent(EventFlags.DisableTiming, out var untimed).ShouldBe(CuResult.Success);

        driver.QueryEvent(start).ShouldBe(CuResult.Success); // never recorded: complete, as documented
        driver.ElapsedTime(start, end, out _).ShouldBe(CuResult.InvalidHandle); // neither recorded
        driver.RecordEvent(start, 0, 0, false).ShouldBe(CuResult.Success);
        driver.ElapsedTime(start, end, out _).ShouldBe(CuResult.InvalidHandle); // end never recorded
        driver.MemAlloc(4096, out var buffer).ShouldBe(CuResult.Success);
        driver.MemSet(0, false, buffer, 0, 7, 4, 1024, 1).ShouldBe(CuResult.Success);
        driver.RecordEvent(end, 0, 0, false).ShouldBe(CuResult.Success);
        driver.ElapsedTime(start, end, out var ms).ShouldBe(CuResult.Success);
        ms.ShouldBeGreaterThan(0f);
        driver.ElapsedTime(end, start, out var backwards).ShouldBe(CuResult.Success);
        backwards.ShouldBe(-ms);

        driver.RecordEvent(untimed, 0, 0, false).ShouldBe(CuResult.Success);
        driver.ElapsedTime(start, untimed, out _).ShouldBe(CuResult.InvalidHandle);
        driver.ElapsedTime(untimed, end, out _).ShouldBe(CuResult.InvalidHandle);

        driver.CreateEvent(EventFlags.Interprocess, out _).ShouldBe(CuResult.InvalidValue); // needs DISABLE_TIMING
        driver.CreateEvent(EventFlags.Interprocess | EventFlags.DisableTiming, out _).ShouldBe(CuResult.Success);
        driver.CreateEvent(0x8, out _).ShouldBe(CuResult.InvalidValue);
        driver.RecordEvent(start, 0, 0x2, false).ShouldBe(CuResult.InvalidValue);

        driver.DestroyEvent(end).ShouldBe(CuResult.Success);
        driver.DestroyEvent(end).ShouldBe(CuResult.InvalidHandle);
        driver.ElapsedTime(start, end, out _).ShouldBe(CuResult.InvalidHandle);
        driver.RecordEvent(end, 0, 0, false).ShouldBe(CuResult.InvalidHandle);
        driver.DestroyContext(context).ShouldBe(CuResult.Success);
        driver.QueryEvent(start).ShouldBe(CuResult.InvalidHandle); // destroyed with its context
    }

    [Fact]
    public void Events_and_streams_of_different_contexts_do_not_mix()
    {
        using var driver = TestDrivers.Initialized();
        driver.CreateContext(0, 0, out var first).ShouldBe(CuResult.Success);
        driver.CreateEvent(0, out var firstEvent).ShouldBe(CuResult.Success);
        driver.CreateContext(0, 0, out var second).ShouldBe(CuResult.Success);
        driver.CreateStream(0, 0, out var secondStream).ShouldBe(CuResult.Success);
        driver.RecordEvent(firstEvent, secondStream, 0, false).ShouldBe(CuResult.InvalidHandle);
        driver.RecordEvent(firstEvent, 0, 0, false).ShouldBe(CuResult.InvalidHandle); // legacy stream of the current (second) context
        driver.StreamWaitEvent(secondStream, firstEvent, 0, false).ShouldBe(CuResult.Success); // cross-context waits are allowed
        driver.DestroyContext(second).ShouldBe(CuResult.Success);
        driver.RecordEvent(firstEvent, 0, 0, false).ShouldBe(CuResult.Success);
        driver.DestroyContext(first).ShouldBe(CuResult.Success);
    }

    [Fact]
    public void Stream_properties_and_default_stream_semantics()
    {
        using var driver = TestDrivers.Initialized();
        driver.CreateContext(0, 0, out var context).ShouldBe(CuResult.Success);
        driver.GetStreamPriorityRange(out var least, out var greatest).ShouldBe(CuResult.Success);
        (least, greatest).ShouldBe((0, -5));

        driver.CreateStream(StreamFlags.NonBlocking, -100, out var high).ShouldBe(CuResult.Success);
        driver.GetStreamPriority(high, false, out var priority).ShouldBe(CuResult.Success);
        priority.ShouldBe(-5); // clamped to the greatest priority
        driver.GetStreamFlags(high, false, out var flags).ShouldBe(CuResult.Success);
        flags.ShouldBe(StreamFlags.NonBlocking);
        driver.GetStreamContext(high, false, out var owner).ShouldBe(CuResult.Success);
        owner.ShouldBe(context);
        driver.CreateStream(0x2, 0, out _).ShouldBe(CuResult.InvalidValue);

        driver.GetStreamId(0, false, out var legacyId).ShouldBe(CuResult.Success);
        driver.GetStreamId(0, true, out var perThreadId).ShouldBe(CuResult.Success);
        driver.GetStreamId(StreamHandles.PerThread, false, out var explicitPerThread).ShouldBe(CuResult.Success);
        (legacyId, perThreadId, explicitPerThread).ShouldBe((1UL, 2UL, 2UL));
        driver.GetStreamContext(StreamHandles.Legacy, false, out owner).ShouldBe(CuResult.Success);
        owner.ShouldBe(context);

        driver.ResolveStream(0, true, out var mine).ShouldBe(CuResult.Success);
        Stream? theirs = null;
        var thread = new Thread(() =>
        {
            driver.PushContext(context).ShouldBe(CuResult.Success);
            driver.ResolveStream(StreamHandles.PerThread, false, out theirs).ShouldBe(CuResult.Success);
            driver.PopContext(out _).ShouldBe(CuResult.Success);
        });
        thread.Start();
        thread.Join();
        theirs.ShouldNotBeNull();
        theirs.ShouldNotBeSameAs(mine); // each host thread has its own default stream

        driver.DestroyStream(StreamHandles.Legacy).ShouldBe(CuResult.InvalidHandle);
        driver.DestroyStream(high).ShouldBe(CuResult.Success);
        driver.SynchronizeStream(high, false).ShouldBe(CuResult.InvalidHandle);
        driver.DestroyContext(context).ShouldBe(CuResult.Success);
        driver.SynchronizeStream(0, false).ShouldBe(CuResult.InvalidContext);
    }

    [Fact]
    public void A_fault_is_sticky_on_its_context()
    {
        using var driver = TestDrivers.Initialized();
        driver.CreateContext(0, 0, out var context).ShouldBe(CuResult.Success);
        driver.ResolveStream(0, false, out var stream).ShouldBe(CuResult.Success);
        driver.Enqueue(stream, 10, () => CuResult.IllegalAddress).ShouldBe(CuResult.IllegalAddress);
        driver.SynchronizeContext().ShouldBe(CuResult.IllegalAddress);
        driver.SynchronizeStream(0, false).ShouldBe(CuResult.IllegalAddress);
        var ran = false;
        driver.LaunchHostFunction(0, false, () => ran = true).ShouldBe(CuResult.IllegalAddress);
        ran.ShouldBeFalse();
        driver.DestroyContext(context).ShouldBe(CuResult.Success);
        driver.CreateContext(0, 0, out context).ShouldBe(CuResult.Success);
        driver.SynchronizeContext().ShouldBe(CuResult.Success); // a fresh context starts clean
        driver.DestroyContext(context).ShouldBe(CuResult.Success);
    }

    /// <summary>Determinism: the same program on two drivers yields the same handles, address offsets, clock and timings.</summary>
    [Fact]
    public void The_same_program_gives_the_same_observations()
    {
        static List<string> Run()
        {
            using var driver = TestDrivers.Initialized("t4", devices: 2);
            var seen = new List<string>();
            driver.CreateContext(0, 1, out var context).ShouldBe(CuResult.Success);
            driver.CreateStream(0, -1, out var stream).ShouldBe(CuResult.Success);
            driver.CreateEvent(0, out var start).ShouldBe(CuResult.Success);
            driver.CreateEvent(0, out var end).ShouldBe(CuResult.Success);
            driver.MemAlloc(3 << 20, out var buffer).ShouldBe(CuResult.Success);
            driver.RecordEvent(start, stream, 0, false).ShouldBe(CuResult.Success);
            driver.MemSet(stream, false, buffer, 0, 1, 4, 3 << 18, 1).ShouldBe(CuResult.Success);
            driver.MemCopy(stream, false, buffer + (2 << 20), OperandKind.Device, buffer, OperandKind.Device, 1 << 20).ShouldBe(CuResult.Success);
            driver.RecordEvent(end, stream, 0, false).ShouldBe(CuResult.Success);
            driver.ElapsedTime(start, end, out var ms).ShouldBe(CuResult.Success);
            driver.GetContextId(0, out var id).ShouldBe(CuResult.Success);
            driver.GetStreamId(stream, false, out var streamId).ShouldBe(CuResult.Success);
            seen.Add($"{context:x} {stream:x} {start:x} {end:x} {id} {streamId}");
            seen.Add($"{buffer - driver.Memory!.AddressSpace.Base:x} {driver.Devices[1].Clock.Now} {driver.Devices[0].Clock.Now} {ms:R}");
            driver.DestroyContext(context).ShouldBe(CuResult.Success);
            return seen;
        }

        var first = Run();
        Run().ShouldBe(first);
        var observed = first[1].Split(' ');
        long.Parse(observed[1]).ShouldBeGreaterThan(0); // device 1 did the work
        observed[2].ShouldBe("0");                     // device 0's time line is its own
    }
}
