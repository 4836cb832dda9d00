using Emulator.Driver;
using Emulator.Driver.Runtime;
using FsCheck;
using FsCheck.Fluent;

namespace Emulator.Tests.Property.Runtime;

/// <summary>
/// cudaGetLastError / cudaPeekAtLastError against a model of NVIDIA's documented rules, over random
/// sequences of failing and succeeding calls, takes, peeks, kernel faults and device resets.
/// </summary>
public sealed class RuntimeErrorStateProperties
{
    private enum OpKind { Call, Take, Peek, Fault, Reset }

    private sealed record Op(OpKind Kind, CudaError Error);

    private static readonly CudaError[] CallOutcomes =
        [CudaError.Success, CudaError.InvalidValue, CudaError.MemoryAllocation, CudaError.InvalidDevice, CudaError.NotSupported];

    private static readonly CudaError[] Faults = [CudaError.IllegalAddress, CudaError.LaunchFailure, CudaError.MisalignedAddress];

    private static Gen<Op> OpGen() => Gen.OneOf(
        Gen.Elements(CallOutcomes).Select(e => new Op(OpKind.Call, e)),
        Gen.Constant(new Op(OpKind.Take, CudaError.Success)),
        Gen.Constant(new Op(OpKind.Peek, CudaError.Success)),
        Gen.Elements(Faults).Select(e => new Op(OpKind.Fault, e)),
        Gen.Constant(new Op(OpKind.Reset, CudaError.Success)));

    [Fact]
    public void TakeAndPeekFollowTheDocumentedRules()
    {
        Prop.ForAll(Gen.ListOf(OpGen()).ToArbitrary(), ops =>
        {
            var state = new RuntimeErrorState();
            // The model: the thread's last error, and the device's first fault until reset.
            var modelLast = CudaError.Success;
            var modelSticky = CudaError.Success;
            var sticky = CudaError.Success; // what the driver context would hold
            foreach (var op in ops)
            {
                switch (op.Kind)
                {
                    case OpKind.Call:
                        state.Record(op.Error).ShouldBe(op.Error);
                        if (op.Error != CudaError.Success) modelLast = op.Error;
                        break;
                    case OpKind.Fault:
                        // A faulting launch returns its error (recorded) and leaves it sticky, first fault wins.
                        if (sticky == CudaError.Success) sticky = op.Error;
                        if (modelSticky == CudaError.Success) modelSticky = op.Error;
                        state.Record(op.Error);
                        modelLast = op.Error;
                        break;
                    case OpKind.Reset:
                        sticky = CudaError.Success;
                        modelSticky = CudaError.Success;
                        break;
                    case OpKind.Peek:
                        state.PeekLast(sticky).ShouldBe(modelLast != CudaError.Success ? modelLast : modelSticky);
                        break;
                    case OpKind.Take:
                        state.TakeLast(sticky).ShouldBe(modelLast != CudaError.Success ? modelLast : modelSticky);
                        modelLast = CudaError.Success;
                        break;
                }
            }
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void LastErrorsBelongToTheirThread()
    {
        var state = new RuntimeErrorState();
        state.Record(CudaError.InvalidValue);
        var other = CudaError.Unknown;
        var thread = new Thread(() =>
        {
            state.Record(CudaError.MemoryAllocation);
            other = state.TakeLast(CudaError.Success);
        });
        thread.Start();
        thread.Join();
        other.ShouldBe(CudaError.MemoryAllocation);
        state.TakeLast(CudaError.Success).ShouldBe(CudaError.InvalidValue);
        state.TakeLast(CudaError.Success).ShouldBe(CudaError.Success);
    }
}
