using Emulator.Driver;
using FsCheck;
using FsCheck.Fluent;

namespace Emulator.Tests.Property.Driver;

/// <summary>Primary contexts against a model: per device a reference count and flags; active iff the count is positive.</summary>
public sealed class PrimaryContextProperties
{
    private enum Op { Retain, Release, Reset, SetFlags, GetState }

    private static readonly uint[] FlagChoices = [0, 1, 2, 4, 0x80, 0x3];

    [Fact]
    public void Reference_counts_and_state_match_the_model()
    {
        var steps = Gen.Choose(0, 4).Zip(Gen.Choose(0, 1)).Zip(Gen.Elements(FlagChoices))
            .Select(t => ((Op)t.Item1.Item1, t.Item1.Item2, t.Item2)).ListOf().Select(l => l.ToArray());
        Prop.ForAll(steps.ToArbitrary(), sequence =>
        {
            using var driver = TestDrivers.Initialized("a100", devices: 2);
            var counts = new int[2];
            var flags = new uint[2];
            var handles = new nint[2];
            foreach (var (op, device, newFlags) in sequence)
            {
                CuResult actual, expected;
                switch (op)
                {
                    case Op.Retain:
                        actual = driver.RetainPrimaryContext(device, out var handle);
                        expected = CuResult.Success;
                        if (handles[device] != 0 && handle != handles[device]) return false.Label("primary handle changed");
                        handles[device] = handle;
                        counts[device]++;
                        break;
                    case Op.Release:
                        actual = driver.ReleasePrimaryContext(device);
                        expected = counts[device] > 0 ? CuResult.Success : CuResult.InvalidContext;
                        if (counts[device] > 0) counts[device]--;
                        break;
                    case Op.Reset:
                        actual = driver.ResetPrimaryContext(device);
                        expected = CuResult.Success;
                        counts[device] = 0;
                        break;
                    case Op.SetFlags:
                        actual = driver.SetPrimaryContextFlags(device, newFlags);
                        var valid = newFlags != 0x3;
                        expected = valid ? CuResult.Success : CuResult.InvalidValue;
                        if (valid) flags[device] = newFlags;
                        break;
                    default:
                        actual = driver.GetPrimaryContextState(device, out var reportedFlags, out var active);
                        expected = CuResult.Success;
                        if (active != counts[device] > 0 || reportedFlags != flags[device]) return false.Label("state differs");
                        break;
                }
                if (actual != expected) return false.Label($"{op}({device}): {actual}, model says {expected}");
                if (driver.PrimaryContextReferenceCount(device) != counts[device]) return false.Label("count differs");
            }
            return true.ToProperty();
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Releasing_the_last_reference_frees_what_the_primary_context_owned()
    {
        using var driver = TestDrivers.Initialized();
        driver.RetainPrimaryContext(0, out var primary).ShouldBe(CuResult.Success);
        driver.SetCurrentContext(primary).ShouldBe(CuResult.Success);
        driver.CreateStream(0, 0, out var stream).ShouldBe(CuResult.Success);
        driver.MemAlloc(1 << 20, out _).ShouldBe(CuResult.Success);
        driver.MemGetInfo(out var freeBefore, out var total).ShouldBe(CuResult.Success);
        (total - freeBefore).ShouldBe(1UL << 20);
        driver.DestroyContext(primary).ShouldBe(CuResult.InvalidContext); // primary contexts are released, not destroyed

        driver.ReleasePrimaryContext(0).ShouldBe(CuResult.Success);
        driver.GetContextDevice(out _).ShouldBe(CuResult.InvalidContext);
        driver.SynchronizeStream(stream, false).ShouldBe(CuResult.InvalidHandle);
        driver.Memory!.UsedBytes(0).ShouldBe(0UL);

        driver.RetainPrimaryContext(0, out var again).ShouldBe(CuResult.Success);
        again.ShouldBe(primary);
        driver.GetContextDevice(out var ordinal).ShouldBe(CuResult.Success);
        ordinal.ShouldBe(0);
        driver.ReleasePrimaryContext(0).ShouldBe(CuResult.Success);
        driver.SetCurrentContext(0).ShouldBe(CuResult.Success);
    }
}
