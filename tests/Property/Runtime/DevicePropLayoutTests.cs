using System.Diagnostics;
using System.Runtime.InteropServices;
using Emulator.Driver.Runtime;

namespace Emulator.Tests.Property.Runtime;

/// <summary>
/// The C# cudaDeviceProp structs against gcc's layout of the same field lists (cuda_device_prop_abi.c):
/// every field offset and the total size, per ABI; then spot checks of the fields ggml reads.
/// </summary>
public sealed class DevicePropLayoutTests
{
    private static readonly Lazy<Dictionary<string, Dictionary<string, int>>> GccLayout = new(CompileAndRunOracle);

    [Theory]
    [InlineData("11", typeof(CudaDeviceProp11))]
    [InlineData("12", typeof(CudaDeviceProp12))]
    [InlineData("13", typeof(CudaDeviceProp13))]
    public void EveryFieldOffsetAndTheSizeMatchGcc(string abi, Type prop)
    {
        var expected = GccLayout.Value[abi];
        Marshal.SizeOf(prop).ShouldBe(expected["sizeof"]);
        var fields = prop.GetFields().Where(f => !f.IsLiteral).ToArray();
        fields.Length.ShouldBe(expected.Count - 1, "every C field has exactly one C# field");
        foreach (var field in fields)
            ((int)Marshal.OffsetOf(prop, field.Name)).ShouldBe(expected[field.Name], $"{abi}: {field.Name}");
    }

    [Fact]
    public void KeyFieldsOfTheCuda13Layout()
    {
        Offsets<CudaDeviceProp13>().ShouldBe(new Dictionary<string, int>
        {
            ["name"] = 0, ["uuid"] = 256, ["totalGlobalMem"] = 288, ["sharedMemPerBlock"] = 296, ["warpSize"] = 308,
            ["major"] = 360, ["minor"] = 364, ["multiProcessorCount"] = 384, ["integrated"] = 388,
            ["pciBusID"] = 568, ["sharedMemPerBlockOptin"] = 672,
        });
        CudaDeviceProp13.NativeSize.ShouldBe(1008);
    }

    [Fact]
    public void KeyFieldsOfTheCuda12And11Layouts()
    {
        var expected = new Dictionary<string, int>
        {
            ["name"] = 0, ["uuid"] = 256, ["totalGlobalMem"] = 288, ["sharedMemPerBlock"] = 296, ["warpSize"] = 308,
            ["major"] = 360, ["minor"] = 364, ["multiProcessorCount"] = 388, ["integrated"] = 396,
            ["pciBusID"] = 584, ["sharedMemPerBlockOptin"] = 696,
        };
        Offsets<CudaDeviceProp12>().ShouldBe(expected);
        Offsets<CudaDeviceProp11>().ShouldBe(expected);
        CudaDeviceProp12.NativeSize.ShouldBe(1032);
        CudaDeviceProp11.NativeSize.ShouldBe(728);
    }

    private static Dictionary<string, int> Offsets<T>() => new[]
    {
        "name", "uuid", "totalGlobalMem", "sharedMemPerBlock", "warpSize", "major", "minor", "multiProcessorCount",
        "integrated", "pciBusID", "sharedMemPerBlockOptin",
    }.ToDictionary(f => f, f => (int)Marshal.OffsetOf<T>(f));

    private static Dictionary<string, Dictionary<string, int>> CompileAndRunOracle()
    {
        var source = FindInRepository("tests/Property/Runtime/cuda_device_prop_abi.c");
        var binary = Path.Combine(Path.GetTempPath(), $"cuemu-prop-abi-{Environment.ProcessId}");
        Run("gcc", $"-std=c11 -O0 -o \"{binary}\" \"{source}\"");
        var output = Run(binary, "");
        File.Delete(binary);
        var layout = new Dictionary<string, Dictionary<string, int>>();
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split(' ');
            if (!layout.TryGetValue(parts[0], out var abi))
                layout[parts[0]] = abi = new Dictionary<string, int>();
            abi[parts[1]] = int.Parse(parts[2]);
        }
        return layout;
    }

    private static string FindInRepository(string relativePath)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, relativePath);
            if (File.Exists(candidate))
                return candidate;
        }
        throw new FileNotFoundException(relativePath);
    }

    private static string Run(string program, string arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(program, arguments)
        {
            RedirectStandardOutput = true, RedirectStandardError = true,
        })!;
        var stdout = process.StandardOutput.ReadToEnd();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        process.ExitCode.ShouldBe(0, $"{program} {arguments}: {stderr}");
        return stdout;
    }
}
