using Emulator.Kernels.Engine;

namespace Emulator.Tests.Kernels.Engine;

/// <summary>
/// Runs one instruction form per thread, ZLUDA-style: a generated .ptx kernel loads operands %a, %b, %c
/// (8-byte slots per thread) of the source type, executes the instruction text, and stores %d. Tests supply
/// inputs and compare each output against values computed independently in C#.
/// </summary>
public static class InstructionCase
{
    static string LoadType(string type) => type switch
    {
        "f16" or "bf16" => "b16",
        "f16x2" or "bf16x2" => "b32",
        "pred" => "u32",
        _ => type,
    };

    static string RegisterType(string type) => type switch
    {
        "f16x2" or "bf16x2" => "b32",
        "bf16" => "b16",
        _ => type,
    };

    public static string Ptx(string body, string destinationType, string sourceType, string? cType = null)
    {
        cType ??= sourceType;
        string Load(string register, string type, int offset) => type == "pred"
            ? $"ld.global.u32 %t, [%rd4+{offset}];\n\tsetp.ne.u32 {register}, %t, 0;"
            : $"ld.global.{LoadType(type)} {register}, [%rd4+{offset}];";
        string store = destinationType == "pred"
            ? "selp.u32 %t, 1, 0, %d;\n\tst.global.u32 [%rd6], %t;"
            : $"st.global.{LoadType(destinationType)} [%rd6], %d;";
        return $$"""
            .version 8.4
            .target sm_90
            .address_size 64
            .visible .entry instruction_case(.param .u64 out_param, .param .u64 in_param)
            {
            	.reg .{{RegisterType(sourceType)}} %a, %b;
            	.reg .{{RegisterType(cType)}} %c;
            	.reg .{{RegisterType(destinationType)}} %d;
            	.reg .pred %q;
            	.reg .b32 %t, %tid;
            	.reg .b64 %rd<8>;
            	ld.param.u64 %rd1, [out_param];
            	ld.param.u64 %rd2, [in_param];
            	mov.u32 %tid, %tid.x;
            	mul.wide.u32 %rd3, %tid, 24;
            	add.s64 %rd4, %rd2, %rd3;
            	{{Load("%a", sourceType, 0)}}
            	{{Load("%b", sourceType, 8)}}
            	{{Load("%c", cType, 16)}}
            	mul.wide.u32 %rd5, %tid, 8;
            	add.s64 %rd6, %rd1, %rd5;
            	{{body}}
            	{{store}}
            	ret;
            }
            """;
    }

    /// <summary>Executes <paramref name="body"/> once per input triple and returns each thread's %d bits.</summary>
    public static ulong[] Run(string body, string destinationType, string sourceType, IReadOnlyList<(ulong A, ulong B, ulong C)> inputs, string? cType = null)
    {
        using var prepared = new Prepared(body, destinationType, sourceType, inputs.Count, cType);
        return prepared.Run(inputs);
    }

    /// <summary>
    /// One instruction case parsed once, with input and output buffers for up to <c>capacity</c> threads that are
    /// reused by every <see cref="Run"/> (random testing launches the same form many times).
    /// </summary>
    public sealed class Prepared : IDisposable
    {
        const int InputSlotBytes = 24, OutputSlotBytes = 8;
        readonly PtxHarness harness;
        readonly int capacity;
        readonly ulong input, output;
        (ulong A, ulong B, ulong C)[] current = [];

        public Prepared(string body, string destinationType, string sourceType, int capacity, string? cType = null)
        {
            this.capacity = capacity;
            harness = new PtxHarness(Ptx(body, destinationType, sourceType, cType))
            {
                Label = $"{body} (d .{destinationType}, a/b .{sourceType}, c .{cType ?? sourceType})",
                ExplainByte = Explain,
            };
            input = harness.Memory.Allocate(capacity * InputSlotBytes, "inputs (a, b, c per thread)");
            output = harness.Memory.Allocate(capacity * OutputSlotBytes, "output (d per thread)");
        }

        /// <summary>The harness that runs the case (its memory holds the input and output buffers).</summary>
        public PtxHarness Harness => harness;

        /// <summary>Device address of the output buffer: 8 bytes (%d) per thread.</summary>
        public ulong Output => output;

        public ulong[] Run(IReadOnlyList<(ulong A, ulong B, ulong C)> inputs)
        {
            if (inputs.Count == 0 || inputs.Count > capacity)
                throw new ArgumentOutOfRangeException(nameof(inputs), $"{inputs.Count} inputs for a case prepared for 1..{capacity}");
            current = inputs.ToArray();
            var packed = new ulong[inputs.Count * 3];
            for (int i = 0; i < inputs.Count; i++) (packed[3 * i], packed[3 * i + 1], packed[3 * i + 2]) = inputs[i];
            harness.Memory.Write<ulong>(input, packed);
            harness.Memory.Clear(output, capacity * OutputSlotBytes);
            var result = harness.Launch("instruction_case", new LaunchExtent(1), new LaunchExtent((uint)inputs.Count), output, input);
            result.Status.ShouldBe(LaunchStatus.Success, result.ToString());
            return harness.Memory.Download<ulong>(output, inputs.Count);
        }

        string? Explain(DeviceAllocation allocation, int offset)
        {
            int slot = allocation.Address == output ? OutputSlotBytes : allocation.Address == input ? InputSlotBytes : 0;
            if (slot == 0 || offset / slot >= current.Length) return null;
            var (a, b, c) = current[offset / slot];
            return $"thread {offset / slot}: a=0x{a:x}, b=0x{b:x}, c=0x{c:x}";
        }

        public void Dispose() => harness.Dispose();
    }

    public static ulong F(float value) => BitConverter.SingleToUInt32Bits(value);
    public static ulong D(double value) => BitConverter.DoubleToUInt64Bits(value);
    public static ulong H(float value) => BitConverter.HalfToUInt16Bits((Half)value);
    public static float AsF(ulong bits) => BitConverter.UInt32BitsToSingle((uint)bits);
}
