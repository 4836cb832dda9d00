using System.Globalization;
using System.Text.RegularExpressions;

namespace Emulator.Driver.Nvml;

/// <summary>
/// The version answers NVML derives from a persona's driver version (e.g. "570.133.07") and CUDA driver
/// version (e.g. 12080, the number <c>cuDriverGetVersion</c> reports).
/// </summary>
public static partial class NvmlVersions
{
    /// <summary><c>nvmlSystemGetDriverVersion</c>: the driver version as the persona spells it, after validation.</summary>
    public static string SystemDriverVersion(string driverVersion)
    {
        ParseBranch(driverVersion);
        return driverVersion;
    }

    /// <summary>
    /// <c>nvmlSystemGetNVMLVersion</c>: NVML's version is the CUDA major version followed by the driver version,
    /// e.g. "12.570.133.07" for CUDA 12.8 with driver 570.133.07.
    /// </summary>
    public static string NvmlLibraryVersion(string driverVersion, int cudaDriverVersion)
    {
        ParseBranch(driverVersion);
        if (cudaDriverVersion < 1000)
            throw new ArgumentOutOfRangeException(nameof(cudaDriverVersion), cudaDriverVersion, "CUDA versions are 1000·major + 10·minor");
        return string.Create(CultureInfo.InvariantCulture, $"{cudaDriverVersion / 1000}.{driverVersion}");
    }

    /// <summary>
    /// The CUDA version a Linux driver branch ships with (<c>nvmlSystemGetCudaDriverVersion</c>), for personas
    /// that give only a driver version; from NVIDIA's CUDA toolkit release notes (minimum driver per toolkit).
    /// </summary>
    public static int CudaDriverVersionForDriver(string driverVersion)
    {
        int branch = ParseBranch(driverVersion);
        (int MinimumBranch, int Cuda)[] table =
        [
            (590, 13010), (580, 13000), (575, 12090), (570, 12080), (565, 12070), (560, 12060), (555, 12050),
            (550, 12040), (545, 12030), (535, 12020), (530, 12010), (525, 12000), (520, 11080), (515, 11070),
            (510, 11060), (495, 11050), (470, 11040), (465, 11030), (460, 11020), (455, 11010), (450, 11000),
        ];
        foreach (var (minimumBranch, cuda) in table)
        {
            if (branch >= minimumBranch)
                return cuda;
        }
        throw new ArgumentOutOfRangeException(nameof(driverVersion), driverVersion, "drivers before 450 (CUDA 11.0) are not modelled");
    }

    /// <summary>Major driver branch ("570" of "570.133.07"); throws for anything but 2–3 dot-separated numbers.</summary>
    public static int ParseBranch(string driverVersion)
    {
        Match match = DriverVersionPattern().Match(driverVersion ?? "");
        if (!match.Success)
            throw new FormatException($"'{driverVersion}' is not a driver version such as 570.133.07");
        return int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"^([0-9]{1,4})\.[0-9]{1,4}(\.[0-9]{1,4})?$")]
    private static partial Regex DriverVersionPattern();
}
