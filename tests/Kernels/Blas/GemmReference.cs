using Emulator.Kernels.Blas;

namespace Emulator.Tests.Kernels.Blas;

/// <summary>
/// Straightforward triple-loop GEMMs written from cuBLAS's definition, independent of the library's packing,
/// tiling and SIMD code. <see cref="SameOperations"/> performs the library's documented arithmetic (same input
/// rounding, same fused multiply-add order, same epilogue) and must match bit for bit;
/// <see cref="ExactProduct"/> works in binary64 on the unrounded inputs and bounds the error.
/// </summary>
internal static class GemmReference
{
    public static float OpA(BlasMatrix a, bool transposed, int i, int p) => transposed ? a[p, i] : a[i, p];

    public static float OpB(BlasMatrix b, bool transposed, int p, int j) => transposed ? b[j, p] : b[p, j];

    public static bool HalfAccumulate(BlasComputeType compute) =>
        compute is BlasComputeType.Compute16F or BlasComputeType.Compute16FPedantic;

    public static float RoundInput(BlasComputeType compute, float value) => compute switch
    {
        BlasComputeType.Compute32FFastTF32 => Rounding.RoundToTf32(value),
        BlasComputeType.Compute32FFast16F => (float)(Half)value,
        BlasComputeType.Compute32FFast16BF => Rounding.RoundToBFloat16(value),
        _ => value,
    };

    public static void SameOperations(BlasComputeType compute, bool transA, bool transB, int m, int n, int k,
        float alpha, BlasMatrix a, BlasMatrix b, float beta, BlasMatrix c)
    {
        bool half = HalfAccumulate(compute);
        if (half)
        {
            alpha = (float)(Half)alpha;
            beta = (float)(Half)beta;
        }
        for (int j = 0; j < n; j++)
        {
            for (int i = 0; i < m; i++)
            {
                float result;
                if (k == 0 || alpha == 0f)
                {
                    result = beta == 0f ? 0f : beta * c[i, j];
                    if (half) result = (float)(Half)result;
                }
                else
                {
                    float acc = 0f;
                    for (int p = 0; p < k; p++)
                    {
                        acc = MathF.FusedMultiplyAdd(RoundInput(compute, OpA(a, transA, i, p)), RoundInput(compute, OpB(b, transB, p, j)), acc);
                        if (half) acc = (float)(Half)acc;
                    }
                    if (half)
                    {
                        float scaled = (float)(Half)(alpha * acc);
                        result = beta == 0f ? scaled : (float)(Half)MathF.FusedMultiplyAdd(beta, c[i, j], scaled);
                    }
                    else
                    {
                        result = beta == 0f ? alpha * acc : MathF.FusedMultiplyAdd(alpha, acc, beta * c[i, j]);
                    }
                }
                c[i, j] = result;
            }
        }
    }

    /// <summary>binary64 product and, per element, the magnitude sum the error bound scales with.</summary>
    public static (double[,] Value, double[,] Magnitude) ExactProduct(bool transA, bool transB, int m, int n, int k,
        double alpha, BlasMatrix a, BlasMatrix b, double beta, BlasMatrix c)
    {
        var value = new double[m, n];
        var magnitude = new double[m, n];
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = 0, absSum = 0;
                for (int p = 0; p < k; p++)
                {
                    double product = (double)OpA(a, transA, i, p) * OpB(b, transB, p, j);
                    sum += product;
                    absSum += Math.Abs(product);
                }
                double cTerm = beta == 0 ? 0 : beta * c[i, j];
                value[i, j] = alpha * sum + cTerm;
                magnitude[i, j] = Math.Abs(alpha) * absSum + Math.Abs(cTerm);
            }
        }
        return (value, magnitude);
    }

    /// <summary>Unit roundoff of a format (half an ulp of 1).</summary>
    public static double UnitRoundoff(BlasDataType type) => type switch
    {
        BlasDataType.R32F => Math.Pow(2, -24),
        BlasDataType.R16F => Math.Pow(2, -11),
        _ => Math.Pow(2, -8),
    };

    /// <summary>
    /// Documented accuracy: |C − exact| ≤ ((k + 2)·u_acc + 2·u_in)·Σ|terms| + u_out·|exact| + k·2⁻²⁴ (binary16
    /// accumulators lose up to 2⁻²⁵ per step to subnormal spacing).
    /// </summary>
    public static double Tolerance(BlasComputeType compute, BlasDataType cType, int k, double magnitude, double exact)
    {
        double accumulate = HalfAccumulate(compute) ? Math.Pow(2, -11) : Math.Pow(2, -24);
        double input = compute switch
        {
            BlasComputeType.Compute32FFastTF32 or BlasComputeType.Compute32FFast16F => Math.Pow(2, -11),
            BlasComputeType.Compute32FFast16BF => Math.Pow(2, -8),
            _ => 0,
        };
        double subnormalSlack = HalfAccumulate(compute) ? k * Math.Pow(2, -24) : 0;
        return ((k + 2) * accumulate + 2 * input) * magnitude + UnitRoundoff(cType) * Math.Abs(exact) + subnormalSlack;
    }
}
