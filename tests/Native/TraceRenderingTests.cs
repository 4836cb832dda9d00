using System.Text;
using Emulator.Driver.Trace;

namespace Emulator.Tests.Native;

/// <summary>How the API trace renders each kind of argument (what the generated wrappers call).</summary>
public unsafe class TraceRenderingTests
{
    private readonly StringWriter _output = new() { NewLine = "\n" };
    private ApiTraceRecorder Recorder => new(_output);

    [Fact]
    public void Outputs_print_their_value_after_success_and_a_marker_otherwise()
    {
        var recorder = Recorder;
        int value = 42;
        var call = recorder.Begin("cuThing");
        call.OutSigned("ok", &value, true, value);
        call.OutSigned("failed", &value, false, 0);
        call.OutSigned("absent", null, true, 0);
        call.OutHex("ptr", &value, true, 0x2000_0000_1000);
        call.End("Success");
        _output.ToString().ShouldBe("#0 t0 cuThing(ok=&42, failed=&?, absent=null, ptr=&0x200000001000) -> Success\n");
    }

    [Fact]
    public void Host_pointers_print_as_host_and_device_addresses_in_hex()
    {
        var recorder = Recorder;
        int local = 0;
        void* device = (void*)0x2000_0000_0040;
        var call = recorder.Begin("cudaMemcpy");
        call.Address("dst", device);
        call.Address("src", &local);
        call.Address("none", null);
        call.OutAddress("out", &device, true);
        call.Handle("stream", 0);
        call.Handle("ctx", 0x10);
        call.End("Success");
        _output.ToString().ShouldBe("#0 t0 cudaMemcpy(dst=0x200000000040, src=host, none=null, out=&0x200000000040, stream=null, ctx=0x10) -> Success\n");
    }

    [Fact]
    public void Strings_are_quoted_escaped_and_bounded()
    {
        var recorder = Recorder;
        fixed (byte* text = "a\"b\\c\n\0"u8)
        fixed (byte* longText = Encoding.UTF8.GetBytes(new string('x', 300) + "\0"))
        {
            var call = recorder.Begin("f");
            call.String("s", text);
            call.String("long", longText);
            call.EndString(null);
        }
        _output.ToString().ShouldBe($"#0 t0 f(s=\"a\\\"b\\\\c\\x0a\", long=\"{new string('x', 256)}...\") -> null\n");
    }

    [Fact]
    public void Sequence_counts_calls_and_threads_are_numbered_by_first_call()
    {
        var recorder = Recorder;
        recorder.Begin("first").End();
        var thread = new Thread(() => recorder.Begin("other").End());
        thread.Start();
        thread.Join();
        recorder.Begin("again").End();
        _output.ToString().ShouldBe("#0 t0 first()\n#1 t1 other()\n#2 t0 again()\n");
    }
}
