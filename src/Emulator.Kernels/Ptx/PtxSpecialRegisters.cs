using Emulator.Kernels.Ir;

namespace Emulator.Kernels.Ptx;

internal static class PtxSpecialRegisters
{
    /// <summary>The predefined identifier <c>WARP_SZ</c> (used by ggml's 12/compute_70 inline asm) is the constant warp size.</summary>
    public const string WarpSizeConstant = "WARP_SZ";
    public const int WarpSize = 32;

    public static bool TryParse(string name, out IrSpecialRegister special)
    {
        special = name switch
        {
            "%tid.x" => IrSpecialRegister.TidX, "%tid.y" => IrSpecialRegister.TidY, "%tid.z" => IrSpecialRegister.TidZ,
            "%ntid.x" => IrSpecialRegister.NtidX, "%ntid.y" => IrSpecialRegister.NtidY, "%ntid.z" => IrSpecialRegister.NtidZ,
            "%ctaid.x" => IrSpecialRegister.CtaidX, "%ctaid.y" => IrSpecialRegister.CtaidY, "%ctaid.z" => IrSpecialRegister.CtaidZ,
            "%nctaid.x" => IrSpecialRegister.NctaidX, "%nctaid.y" => IrSpecialRegister.NctaidY, "%nctaid.z" => IrSpecialRegister.NctaidZ,
            "%laneid" => IrSpecialRegister.LaneId, "%warpid" => IrSpecialRegister.WarpId, "%nwarpid" => IrSpecialRegister.NWarpId,
            "%smid" => IrSpecialRegister.SmId, "%nsmid" => IrSpecialRegister.NSmId, "%gridid" => IrSpecialRegister.GridId,
            "%lanemask_eq" => IrSpecialRegister.LanemaskEq, "%lanemask_le" => IrSpecialRegister.LanemaskLe,
            "%lanemask_lt" => IrSpecialRegister.LanemaskLt, "%lanemask_ge" => IrSpecialRegister.LanemaskGe,
            "%lanemask_gt" => IrSpecialRegister.LanemaskGt,
            "%clock" => IrSpecialRegister.Clock, "%clock64" => IrSpecialRegister.Clock64,
            "%globaltimer" => IrSpecialRegister.GlobalTimer, "%globaltimer_lo" => IrSpecialRegister.GlobalTimerLo,
            "%globaltimer_hi" => IrSpecialRegister.GlobalTimerHi,
            "%dynamic_smem_size" => IrSpecialRegister.DynamicSmemSize, "%total_smem_size" => IrSpecialRegister.TotalSmemSize,
            "%aggr_smem_size" => IrSpecialRegister.AggrSmemSize,
            "%clusterid.x" => IrSpecialRegister.ClusterIdX, "%clusterid.y" => IrSpecialRegister.ClusterIdY, "%clusterid.z" => IrSpecialRegister.ClusterIdZ,
            "%nclusterid.x" => IrSpecialRegister.NClusterIdX, "%nclusterid.y" => IrSpecialRegister.NClusterIdY, "%nclusterid.z" => IrSpecialRegister.NClusterIdZ,
            "%cluster_ctaid.x" => IrSpecialRegister.ClusterCtaIdX, "%cluster_ctaid.y" => IrSpecialRegister.ClusterCtaIdY, "%cluster_ctaid.z" => IrSpecialRegister.ClusterCtaIdZ,
            "%cluster_nctaid.x" => IrSpecialRegister.ClusterNCtaIdX, "%cluster_nctaid.y" => IrSpecialRegister.ClusterNCtaIdY, "%cluster_nctaid.z" => IrSpecialRegister.ClusterNCtaIdZ,
            "%cluster_ctarank" => IrSpecialRegister.ClusterCtaRank, "%cluster_nctarank" => IrSpecialRegister.ClusterNCtaRank,
            "%is_explicit_cluster" => IrSpecialRegister.IsExplicitCluster,
            _ => IrSpecialRegister.None,
        };
        if (special != IrSpecialRegister.None)
            return true;
        if (name.StartsWith("%envreg", StringComparison.Ordinal) && int.TryParse(name.AsSpan(7), out var index) && index is >= 0 and <= 31
            && name.Length == 7 + (index < 10 ? 1 : 2))
        {
            special = (IrSpecialRegister)((int)IrSpecialRegister.EnvReg0 + index);
            return true;
        }
        return false;
    }
}
