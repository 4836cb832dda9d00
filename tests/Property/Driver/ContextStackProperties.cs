using Emulator.Driver;
using FsCheck;
using FsCheck.Fluent;

namespace Emulator.Tests.Property.Driver;

/// <summary>
/// The per-thread context stack against a model: a list of context ids plus the set of live ones. Operations name
/// contexts by creation index so sequences can refer to destroyed handles.
/// </summary>
public sealed class ContextStackProperties
{
    private enum Op { Create, Push, Pop, SetCurrent, SetNull, Destroy, GetCurrent, GetDevice }

    private static readonly Gen<(Op Op, int Target)[]> Sequences =
        Gen.Choose(0, 7).Select(o => (Op)o).Zip(Gen.Choose(0, 4)).ListOf().Select(list => list.ToArray());

    /// <summary>Runs one sequence on the calling thread; returns a description of the first divergence, or null.</summary>
    private static string? RunAgainstModel(CudaDriver driver, (Op Op, int Target)[] sequence)
    {
        var handles = new List<nint>();
        var live = new HashSet<int>();
        var stack = new List<int>();
        try
        {
            for (var step = 0; step < sequence.Length; step++)
            {
                var (op, target) = sequence[step];
                if (op is Op.Push or Op.SetCurrent or Op.Destroy && target >= handles.Count) continue;
                CuResult actual, expected;
                switch (op)
                {
                    case Op.Create:
                        actual = driver.CreateContext(0, 0, out var created);
                        expected = CuResult.Success;
                        handles.Add(created);
                        live.Add(handles.Count - 1);
                        stack.Add(handles.Count - 1);
                        break;
                    case Op.Push:
                        actual = driver.PushContext(handles[target]);
                        expected = live.Contains(target) ? CuResult.Success : CuResult.InvalidContext;
                        if (expected == CuResult.Success) stack.Add(target);
                        break;
                    case Op.Pop:
                        actual = driver.PopContext(out var popped);
                        expected = stack.Count == 0 ? CuResult.InvalidContext : CuResult.Success;
                        if (expected == CuResult.Success)
                        {
                            if (popped != handles[stack[^1]]) return $"step {step}: popped the wrong context";
                            stack.RemoveAt(stack.Count - 1);
                        }
                        break;
                    case Op.SetCurrent:
                        actual = driver.SetCurrentContext(handles[target]);
                        expected = live.Contains(target) ? CuResult.Success : CuResult.InvalidContext;
                        if (expected == CuResult.Success)
                        {
                            if (stack.Count > 0) stack.RemoveAt(stack.Count - 1);
                            stack.Add(target);
                        }
                        break;
                    case Op.SetNull:
                        actual = driver.SetCurrentContext(0);
                        expected = CuResult.Success;
                        if (stack.Count > 0) stack.RemoveAt(stack.Count - 1);
                        break;
                    case Op.Destroy:
                        actual = driver.DestroyContext(handles[target]);
                        expected = live.Remove(target) ? CuResult.Success : CuResult.InvalidContext;
                        if (expected == CuResult.Success && stack.Count > 0 && stack[^1] == target) stack.RemoveAt(stack.Count - 1);
                        break;
                    case Op.GetCurrent:
                        actual = driver.GetCurrentContextHandle(out var current);
                        expected = CuResult.Success;
                        if (current != (stack.Count == 0 ? 0 : handles[stack[^1]])) return $"step {step}: wrong current context";
                        break;
                    default:
                        actual = driver.GetContextDevice(out _);
                        expected = stack.Count == 0 ? CuResult.InvalidContext
                            : live.Contains(stack[^1]) ? CuResult.Success : CuResult.ContextIsDestroyed;
                        break;
                }
                if (actual != expected) return $"step {step} {op}({target}): {actual}, model says {expected}";
                if (!driver.ContextStackSnapshot().SequenceEqual(stack.Select(i => handles[i])))
                    return $"step {step} {op}({target}): stack differs from the model";
            }
            return null;
        }
        finally
        {
            while (driver.PopContext(out _) == CuResult.Success) { }
            foreach (var index in live) driver.DestroyContext(handles[index]);
        }
    }

    [Fact]
    public void Single_thread_stack_matches_the_model()
    {
        using var driver = TestDrivers.Initialized();
        Prop.ForAll(Sequences.ToArbitrary(), sequence =>
        {
            var divergence = RunAgainstModel(driver, sequence);
            return divergence is null ? true.ToProperty() : false.Label(divergence);
        }).QuickCheckThrowOnFailure();
    }

    /// <summary>Three threads drive the same driver at once; each thread's stack must follow its own model.</summary>
    [Fact]
    public void Threads_have_independent_stacks()
    {
        using var driver = TestDrivers.Initialized();
        Prop.ForAll(Sequences.Three().ToArbitrary(), sequences =>
        {
            var (a, b, c) = sequences;
            var outcomes = new string?[3];
            var threads = new[] { a, b, c }.Select((sequence, i) => new Thread(() => outcomes[i] = RunAgainstModel(driver, sequence))).ToArray();
            foreach (var thread in threads) thread.Start();
            foreach (var thread in threads) thread.Join();
            var divergence = outcomes.FirstOrDefault(o => o is not null);
            return divergence is null ? true.ToProperty() : false.Label(divergence);
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void A_context_destroyed_on_another_thread_stays_current_but_unusable()
    {
        using var driver = TestDrivers.Initialized();
        driver.CreateContext(0, 0, out var shared).ShouldBe(CuResult.Success);
        var other = new Thread(() =>
        {
            driver.PushContext(shared).ShouldBe(CuResult.Success);
            driver.DestroyContext(shared).ShouldBe(CuResult.Success);
            driver.GetCurrentContextHandle(out var none).ShouldBe(CuResult.Success);
            none.ShouldBe(0);
        });
        other.Start();
        other.Join();
        driver.GetCurrentContextHandle(out var stillCurrent).ShouldBe(CuResult.Success);
        stillCurrent.ShouldBe(shared);
        driver.GetContextDevice(out _).ShouldBe(CuResult.ContextIsDestroyed);
        driver.MemAlloc(64, out _).ShouldBe(CuResult.ContextIsDestroyed);
        driver.CreateStream(0, 0, out _).ShouldBe(CuResult.ContextIsDestroyed);
        driver.PushContext(shared).ShouldBe(CuResult.InvalidContext);
        driver.PopContext(out var popped).ShouldBe(CuResult.Success);
        popped.ShouldBe(shared);
    }

    [Fact]
    public void Calls_before_cuInit_are_not_initialized()
    {
        using var driver = new CudaDriver(new DriverOptions());
        driver.GetDeviceCount(out _).ShouldBe(CuResult.NotInitialized);
        driver.CreateContext(0, 0, out _).ShouldBe(CuResult.NotInitialized);
        driver.GetCurrentContextHandle(out _).ShouldBe(CuResult.NotInitialized);
        driver.RetainPrimaryContext(0, out _).ShouldBe(CuResult.NotInitialized);
        driver.MemAlloc(16, out _).ShouldBe(CuResult.NotInitialized);
        driver.GetDriverVersion(out var version).ShouldBe(CuResult.Success);
        version.ShouldBe(13000);
        driver.Init(1).ShouldBe(CuResult.InvalidValue);
        driver.Init(0).ShouldBe(CuResult.Success);
    }

    [Theory]
    [InlineData(0x03u)]
    [InlineData(0x05u)]
    [InlineData(0x100u)]
    public void Invalid_context_flags_are_refused(uint flags)
    {
        using var driver = TestDrivers.Initialized();
        driver.CreateContext(flags, 0, out _).ShouldBe(CuResult.InvalidValue);
        driver.SetPrimaryContextFlags(0, flags).ShouldBe(CuResult.InvalidValue);
        driver.CreateContext(0, 1, out _).ShouldBe(CuResult.InvalidDevice);
    }

    [Fact]
    public void Limits_have_defaults_and_refuse_what_the_device_lacks()
    {
        using var hopper = TestDrivers.Initialized("h100");
        hopper.CreateContext(0, 0, out var context).ShouldBe(CuResult.Success);
        hopper.GetLimit(0, out var stack).ShouldBe(CuResult.Success);
        stack.ShouldBe(1024UL);
        hopper.SetLimit(2, 64UL << 20).ShouldBe(CuResult.Success);
        hopper.GetLimit(2, out var heap).ShouldBe(CuResult.Success);
        heap.ShouldBe(64UL << 20);
        hopper.GetLimit(3, out _).ShouldBe(CuResult.UnsupportedLimit); // no sync depth with CDP2
        hopper.SetLimit(5, 256).ShouldBe(CuResult.InvalidValue);
        hopper.SetLimit(6, 1UL << 40).ShouldBe(CuResult.InvalidValue);
        hopper.GetLimit(42, out _).ShouldBe(CuResult.InvalidValue);
        hopper.DestroyContext(context).ShouldBe(CuResult.Success);

        using var turing = TestDrivers.Initialized("t4");
        turing.CreateContext(0, 0, out context).ShouldBe(CuResult.Success);
        turing.GetLimit(3, out var depth).ShouldBe(CuResult.Success);
        depth.ShouldBe(2UL);
        turing.SetLimit(6, 1).ShouldBe(CuResult.UnsupportedLimit); // no persisting L2 before Ampere
        turing.DestroyContext(context).ShouldBe(CuResult.Success);
    }
}
