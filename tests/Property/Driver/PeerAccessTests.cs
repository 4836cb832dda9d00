using Emulator.Driver;

namespace Emulator.Tests.Property.Driver;

public sealed class PeerAccessTests
{
    [Fact]
    public void Peer_access_follows_nvidias_bookkeeping()
    {
        using var driver = TestDrivers.Initialized("h100", devices: 2);
        driver.CanAccessPeer(0, 1, out var canAccess).ShouldBe(CuResult.Success);
        canAccess.ShouldBeTrue();
        driver.CanAccessPeer(0, 0, out canAccess).ShouldBe(CuResult.Success);
        canAccess.ShouldBeFalse();
        driver.CanAccessPeer(0, 2, out _).ShouldBe(CuResult.InvalidDevice);

        driver.CreateContext(0, 1, out var second).ShouldBe(CuResult.Success);
        driver.CreateContext(0, 0, out var sameDevice).ShouldBe(CuResult.Success);
        driver.CreateContext(0, 0, out var first).ShouldBe(CuResult.Success);
        driver.DisablePeerAccess(second).ShouldBe(CuResult.PeerAccessNotEnabled);
        driver.EnablePeerAccess(second, 1).ShouldBe(CuResult.InvalidValue);
        driver.EnablePeerAccess(sameDevice, 0).ShouldBe(CuResult.InvalidDevice);
        driver.EnablePeerAccess(second, 0).ShouldBe(CuResult.Success);
        driver.EnablePeerAccess(second, 0).ShouldBe(CuResult.PeerAccessAlreadyEnabled);

        // Device 1's memory copied from device 0's context: one address space, so the bytes arrive.
        driver.MemAlloc(256, out var local).ShouldBe(CuResult.Success);
        driver.PushContext(second).ShouldBe(CuResult.Success);
        driver.MemAlloc(256, out var remote).ShouldBe(CuResult.Success);
        driver.PopContext(out _).ShouldBe(CuResult.Success);
        driver.MemSet(0, false, remote, 0, 0xAB, 1, 256, 1).ShouldBe(CuResult.Success);
        driver.MemCopy(0, false, local, Emulator.Memory.OperandKind.Device, remote, Emulator.Memory.OperandKind.Device, 256).ShouldBe(CuResult.Success);
        unsafe { new ReadOnlySpan<byte>((void*)local, 256).ToArray().ShouldAllBe(b => b == 0xAB); }

        driver.DisablePeerAccess(second).ShouldBe(CuResult.Success);
        driver.DestroyContext(first).ShouldBe(CuResult.Success);
        driver.DestroyContext(sameDevice).ShouldBe(CuResult.Success);
        driver.DestroyContext(second).ShouldBe(CuResult.Success);
    }
}
