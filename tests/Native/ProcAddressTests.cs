using Emulator.Exports;
using Emulator.Exports.Generated;
using Emulator.Exports.Hosting;

namespace Emulator.Tests.Native;

public class ProcAddressTests
{
    [Fact]
    public void Native_cuGetProcAddress_returns_our_exports_by_version_and_stream_flags()
    {
        var program = NativeTool.CompileLinked("proc_address", "proc_address.c", "cuda");
        NativeTool.RunChecked(program).Stdout.ShouldContain("proc_address: 0 failures");
    }

    private static readonly ProcEntry[] Table =
    [
        new("cuThing", 0, "cuThing", null),
        new("cuThing", 3020, "cuThing_v2", "cuThing_v2_ptsz"),
        new("cuThing", 11040, "cuThing_v3", null),
        new("cuNew", 12000, "cuNew", "cuNew_ptsz"),
    ];

    [Theory]
    [InlineData("cuThing", 2000, 0ul, "cuThing")]
    [InlineData("cuThing", 3020, 0ul, "cuThing_v2")]
    [InlineData("cuThing", 11030, 2ul, "cuThing_v2_ptsz")]
    [InlineData("cuThing", 11030, 1ul, "cuThing_v2")]
    [InlineData("cuThing", 13000, 2ul, "cuThing_v3")]
    [InlineData("cuNew", 12000, 2ul, "cuNew_ptsz")]
    public void Resolver_picks_the_newest_variant_not_newer_than_the_version(string name, int version, ulong flags, string expected) =>
        ProcAddressResolver.Resolve(Table, name, version, flags).ShouldBe(new ProcAddressResolver.Lookup(ProcAddressStatus.Success, expected));

    [Fact]
    public void Resolver_reports_unknown_names_and_insufficient_versions()
    {
        ProcAddressResolver.Resolve(Table, "cuNew", 11080, 0).Status.ShouldBe(ProcAddressStatus.VersionNotSufficient);
        ProcAddressResolver.Resolve(Table, "cuMissing", 13000, 0).Status.ShouldBe(ProcAddressStatus.SymbolNotFound);
        ProcAddressResolver.Resolve(Table, "cuThing_v2", 13000, 0).Status.ShouldBe(ProcAddressStatus.SymbolNotFound);
    }

    [Theory]
    [InlineData("cuDeviceTotalMem", 3020, "cuDeviceTotalMem_v2")]
    [InlineData("cuMemAlloc", 3020, "cuMemAlloc_v2")]
    [InlineData("cuCtxDestroy", 4000, "cuCtxDestroy_v2")]
    [InlineData("cuStreamDestroy", 4000, "cuStreamDestroy_v2")]
    [InlineData("cuEventDestroy", 4000, "cuEventDestroy_v2")]
    [InlineData("cuModuleGetGlobal", 3020, "cuModuleGetGlobal_v2")]
    [InlineData("cuMemsetD8", 3020, "cuMemsetD8_v2")]
    [InlineData("cuDevicePrimaryCtxRelease", 11000, "cuDevicePrimaryCtxRelease_v2")]
    [InlineData("cuGetProcAddress", 12000, "cuGetProcAddress_v2")]
    public void The_table_gives_NVIDIAs_versions_for_ABI_variants(string name, int since, string variant)
    {
        ProcAddressResolver.Resolve(ApiEntries.Proc, name, since, 0).ExportName.ShouldBe(variant);
        ProcAddressResolver.Resolve(ApiEntries.Proc, name, since - 10, 0).ExportName.ShouldNotBe(variant);
    }
}
