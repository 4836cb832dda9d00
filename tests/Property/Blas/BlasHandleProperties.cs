using Emulator.Driver;
using Emulator.Driver.Blas;
using Emulator.Memory;
using Emulator.Tests.Property.Driver;
using FsCheck;
using FsCheck.Fluent;

namespace Emulator.Tests.Property.Blas;

/// <summary>
/// The cuBLAS handle model against a plain model of cuBLAS's documented rules: fresh handles use the legacy stream,
/// default math and host pointer mode; setters validate their enums; a destroyed or unknown handle is
/// NOT_INITIALIZED for every call, forever. GEMMs run on the handle's stream, cost virtual time deterministically,
/// and an operand outside device memory is a kernel fault.
/// </summary>
public sealed unsafe class BlasHandleProperties
{
    private enum Op { Create, Destroy, SetStream, SetMathMode, SetPointerMode, Query }

    private sealed record Settings(nint Stream, int Math, int Pointer);

    [Fact]
    public void Handle_settings_and_lifetime_follow_the_model()
    {
        var steps = Gen.Choose(0, 5).Zip(Gen.Choose(0, 7)).Zip(Gen.Choose(-1, 20))
            .Select(t => ((Op)t.Item1.Item1, t.Item1.Item2, t.Item2)).ListOf().Select(l => l.ToArray());
        Prop.ForAll(steps.ToArbitrary(), sequence =>
        {
            using var driver = TestDrivers.Initialized();
            driver.CreateContext(0, 0, out _).ShouldBe(CuResult.Success);
            driver.GetCurrentContext(out var context).ShouldBe(CuResult.Success);
            driver.CreateStream(0, 0, out var created).ShouldBe(CuResult.Success);
            var library = new BlasLibrary(driver);
            var live = new Dictionary<nint, Settings>();
            var everIssued = new List<nint>();
            var streams = new[] { (nint)0, created };

            foreach (var (op, pick, value) in sequence)
            {
                // Pick among every handle ever issued plus one never issued, so dead and bogus handles are exercised.
                nint handle = pick < everIssued.Count ? everIssued[pick] : (nint)0x1234_5670;
                bool alive = live.TryGetValue(handle, out var settings);
                var expectDead = CublasStatus.NotInitialized;
                switch (op)
                {
                    case Op.Create:
                        if (library.Create(context, out var fresh) != CublasStatus.Success) return false.Label("create");
                        if (everIssued.Contains(fresh)) return false.Label("handle value reused");
                        everIssued.Add(fresh);
                        live[fresh] = new Settings(0, BlasMathMode.Default, (int)BlasPointerMode.Host);
                        break;
                    case Op.Destroy:
                        if (library.Destroy(handle) != (alive ? CublasStatus.Success : expectDead)) return false.Label("destroy");
                        live.Remove(handle);
                        break;
                    case Op.SetStream:
                        var stream = streams[Math.Abs(value) % 2];
                        if (library.SetStream(handle, stream) != (alive ? CublasStatus.Success : expectDead)) return false.Label("set stream");
                        if (alive) live[handle] = settings! with { Stream = stream };
                        break;
                    case Op.SetMathMode:
                        bool validMath = value is >= 0 and <= 3 or >= 16 and <= 19;
                        var mathStatus = !alive ? expectDead : validMath ? CublasStatus.Success : CublasStatus.InvalidValue;
                        if (library.SetMathMode(handle, value) != mathStatus) return false.Label($"set math {value}");
                        if (mathStatus == CublasStatus.Success) live[handle] = settings! with { Math = value };
                        break;
                    case Op.SetPointerMode:
                        var pointerStatus = !alive ? expectDead : value is 0 or 1 ? CublasStatus.Success : CublasStatus.InvalidValue;
                        if (library.SetPointerMode(handle, value) != pointerStatus) return false.Label($"set pointer mode {value}");
                        if (pointerStatus == CublasStatus.Success) live[handle] = settings! with { Pointer = value };
                        break;
                    case Op.Query:
                        var s1 = library.GetStream(handle, out var gotStream);
                        var s2 = library.GetMathMode(handle, out var gotMath);
                        var s3 = library.GetPointerMode(handle, out var gotPointer);
                        if (!alive)
                        {
                            if (s1 != expectDead || s2 != expectDead || s3 != expectDead) return false.Label("query of a dead handle");
                            break;
                        }
                        if (s1 != CublasStatus.Success || s2 != CublasStatus.Success || s3 != CublasStatus.Success) return false.Label("query");
                        if (gotStream != settings!.Stream || gotMath != settings.Math || gotPointer != settings.Pointer)
                            return false.Label("query values");
                        break;
                }
            }
            return (library.HandleCount == live.Count).Label("live handle count");
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void A_gemm_runs_on_the_handles_stream_at_a_deterministic_modelled_cost()
    {
        long Run()
        {
            using var driver = TestDrivers.Initialized();
            driver.CreateContext(0, 0, out _).ShouldBe(CuResult.Success);
            driver.GetCurrentContext(out var context).ShouldBe(CuResult.Success);
            var library = new BlasLibrary(driver);
            library.Create(context, out var handle).ShouldBe(CublasStatus.Success);
            driver.MemAlloc(3 * 64 * 64 * sizeof(float), out var buffer).ShouldBe(CuResult.Success);
            var a = (float*)buffer;
            for (int i = 0; i < 64 * 64; i++) a[i] = i % 5;
            float alpha = 1, beta = 0;
            var before = driver.Devices[0].Clock.Now;
            library.Sgemm(handle, 0, 1, 64, 64, 64, &alpha, a, 64, a, 64, &beta, a + 2 * 64 * 64, 64).ShouldBe(CublasStatus.Success);
            var cost = driver.Devices[0].Clock.Now - before;
            context.LegacyStream.CompletedAt.ShouldBe(driver.Devices[0].Clock.Now);
            // C = A·Aᵀ: element (0, 1) is Σ_p a[p·64]·a[1 + p·64].
            float expected = 0;
            for (int p = 0; p < 64; p++) expected += a[p * 64] * a[1 + p * 64];
            a[2 * 64 * 64 + 64].ShouldBe(expected);
            return cost;
        }
        var first = Run();
        first.ShouldBeGreaterThan(0);
        Run().ShouldBe(first);
    }

    [Fact]
    public void An_operand_outside_device_memory_is_a_sticky_illegal_address()
    {
        using var driver = TestDrivers.Initialized();
        driver.CreateContext(0, 0, out _).ShouldBe(CuResult.Success);
        driver.GetCurrentContext(out var context).ShouldBe(CuResult.Success);
        var library = new BlasLibrary(driver);
        library.Create(context, out var handle).ShouldBe(CublasStatus.Success);
        driver.MemAlloc(256, out var buffer).ShouldBe(CuResult.Success);
        var c = (float*)buffer;
        c[0] = 42;
        float alpha = 1, beta = 0;
        var hostOnly = stackalloc float[4];

        // Argument errors come first and leave the context alone.
        library.Sgemm(handle, 0, 0, 2, 2, 2, &alpha, hostOnly, 1, hostOnly, 2, &beta, c, 2).ShouldBe(CublasStatus.InvalidValue);
        context.StickyError.ShouldBe(CuResult.Success);

        library.Sgemm(handle, 0, 0, 2, 2, 2, &alpha, hostOnly, 2, c, 2, &beta, c, 2).ShouldBe(CublasStatus.ExecutionFailed);
        context.StickyError.ShouldBe(CuResult.IllegalAddress);
        c[0].ShouldBe(42f);
        library.Sgemm(handle, 0, 0, 2, 2, 2, &alpha, c, 2, c, 2, &beta, c + 8, 2).ShouldBe(CublasStatus.ExecutionFailed);
    }

    [Fact]
    public void A_workspace_must_be_aligned_device_memory_and_setting_a_stream_drops_it()
    {
        using var driver = TestDrivers.Initialized();
        driver.CreateContext(0, 0, out _).ShouldBe(CuResult.Success);
        driver.GetCurrentContext(out var context).ShouldBe(CuResult.Success);
        var library = new BlasLibrary(driver);
        library.Create(context, out var handle).ShouldBe(CublasStatus.Success);
        driver.MemAlloc(1 << 20, out var workspace).ShouldBe(CuResult.Success);

        library.SetWorkspace(handle, workspace + 16, 1024).ShouldBe(CublasStatus.InvalidValue);
        library.SetWorkspace(handle, workspace, 2 << 20).ShouldBe(CublasStatus.InvalidValue);
        library.SetWorkspace(handle, workspace, 1 << 20).ShouldBe(CublasStatus.Success);
        library.Get(handle, out var blas).ShouldBe(CublasStatus.Success);
        blas.WorkspaceBytes.ShouldBe(1UL << 20);
        library.SetStream(handle, 0).ShouldBe(CublasStatus.Success);
        blas.Workspace.ShouldBe(0UL);
        blas.WorkspaceBytes.ShouldBe(0UL);
    }

    [Fact]
    public void Status_names_and_texts_are_nvidias()
    {
        BlasStatusText.Name(CublasStatus.InvalidValue).ShouldBe("CUBLAS_STATUS_INVALID_VALUE");
        BlasStatusText.Text(CublasStatus.NotInitialized).ShouldBe("the library was not initialized");
        BlasStatusText.Text(CublasStatus.ArchMismatch).ShouldBe("an absent device architectural feature is required");
        BlasStatusText.Text((CublasStatus)2).ShouldBe("unknown error");
    }
}
