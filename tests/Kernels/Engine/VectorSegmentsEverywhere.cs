using System.Runtime.CompilerServices;
using Emulator.Kernels.Engine.Compiled;

namespace Emulator.Tests.Kernels.Engine;

/// <summary>
/// The engine gives a fused segment its four-lanes-at-a-time form only where that is faster; these tests compile every
/// segment that has one that way, so each vector form meets the differential oracle (the reference tier) on full warps,
/// while partial warps and segments without a vector form still run lane by lane.
/// </summary>
static class VectorSegmentsEverywhere
{
    [ModuleInitializer]
    internal static void Enable()
    {
        if (Environment.GetEnvironmentVariable("CUEMU_VECTOR") is null) KernelCompiler.VectorSegments = VectorSegmentPolicy.All;
    }
}
