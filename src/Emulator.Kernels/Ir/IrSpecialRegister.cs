namespace Emulator.Kernels.Ir;

/// <summary>Read-only special registers (<c>%tid.x</c>, <c>%laneid</c>, ...). <c>%envreg0..31</c> are <see cref="EnvReg0"/> + n.</summary>
public enum IrSpecialRegister : ushort
{
    None,
    TidX, TidY, TidZ,
    NtidX, NtidY, NtidZ,
    CtaidX, CtaidY, CtaidZ,
    NctaidX, NctaidY, NctaidZ,
    LaneId, WarpId, NWarpId, SmId, NSmId, GridId,
    LanemaskEq, LanemaskLe, LanemaskLt, LanemaskGe, LanemaskGt,
    Clock, Clock64, GlobalTimer, GlobalTimerLo, GlobalTimerHi,
    DynamicSmemSize, TotalSmemSize, AggrSmemSize,
    ClusterIdX, ClusterIdY, ClusterIdZ, NClusterIdX, NClusterIdY, NClusterIdZ,
    ClusterCtaIdX, ClusterCtaIdY, ClusterCtaIdZ, ClusterNCtaIdX, ClusterNCtaIdY, ClusterNCtaIdZ,
    ClusterCtaRank, ClusterNCtaRank, IsExplicitCluster,
    EnvReg0,
    EnvReg31 = EnvReg0 + 31,
}
