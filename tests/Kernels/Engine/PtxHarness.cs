using System.Runtime.CompilerServices;
using Emulator.Kernels.Engine;
using Emulator.Kernels.Engine.Program;
using Emulator.Kernels.Ir;
using Emulator.Kernels.Ptx;
using Emulator.Tests.Kernels.Engine.Differential;

namespace Emulator.Tests.Kernels.Engine;

/// <summary>
/// Parses PTX, decodes a kernel and launches it on a <see cref="TestDeviceMemory"/>. Every launch is differential
/// (issue 6: the reference engine is the oracle of the compiled tier): it runs on the compiled tier first, its
/// outcome is recorded, the initial bytes of the same allocations are put back, and it runs again on the
/// reference tier; the two outcomes must agree bit for bit (<see cref="DifferentialComparison"/> says what is
/// compared) or the launch throws <see cref="DifferentialMismatchException"/>. The caller then sees the
/// reference tier's result, memory and printf output, so its own oracle assertions check the reference engine.
/// Both runs use the same addresses, so pointers a kernel stores in memory compare meaningfully.
/// </summary>
public sealed class PtxHarness : IDisposable
{
    public TestDeviceMemory Memory { get; } = new();
    public List<string> Printed { get; } = [];
    public long InstructionBudget { get; set; }

    /// <summary>Threads that run the compiled (or the chosen) tier's blocks (0: the engine's default, every core).
    /// The reference side of a differential launch always runs its blocks serially, in block order: the oracle.</summary>
    public int Workers { get; set; }

    /// <summary>Run only this tier (no differential comparison); null: every launch is differential.</summary>
    public EngineTier? Tier { get; set; }

    /// <summary>What the PTX is (e.g. the instruction under test), named in mismatch messages.</summary>
    public string? Label { get; init; }

    /// <summary>Says what a byte offset of an allocation means (e.g. which thread's output), for mismatch messages.</summary>
    public Func<DeviceAllocation, int, string?>? ExplainByte { get; set; }

    /// <summary>
    /// The memory the compiled run sees instead of <see cref="Memory"/> (null: the same). Only the harness's own tests set
    /// it, to give the compiled run a deliberately wrong view and prove that the difference is caught and reported.
    /// </summary>
    public Func<TestDeviceMemory, IGlobalMemory>? CompiledRunMemory { get; set; }

    /// <summary>The compiled tier's outcome of the latest differential launch (null when the comparison is off).</summary>
    public LaunchOutcome? LastCompiledOutcome { get; private set; }

    readonly Dictionary<string, ulong> globals = new(StringComparer.Ordinal);
    readonly IrModule module;

    public PtxHarness(string ptx)
    {
        module = PtxLowering.ParseAndLower(ptx);
        foreach (var global in module.Globals)
        {
            if (global.IsExternal) continue;
            ulong address = Memory.Allocate((int)Math.Max(global.Size, 1), global.Name);
            Memory.Write<byte>(address, global.InitialBytes);
            globals[global.Name] = address;
        }
    }

    /// <summary>The text of a sample kernel in <c>Engine/Cases</c>.</summary>
    public static string CaseFile(string name) => File.ReadAllText(Path.Combine(CasesFolder(), name));

    // Resolved from this source file's own path, so callers in any folder find the same cases.
    static string CasesFolder([CallerFilePath] string thisFile = "") => Path.Combine(Path.GetDirectoryName(thisFile)!, "Cases");

    public IrFunction Kernel(string name) => module.FindKernel(name) ?? throw new InvalidOperationException($"kernel {name} not found");

    /// <summary>Packs arguments at the kernel's parameter offsets (pointers as ulong, scalars as their own type).</summary>
    public byte[] Pack(string kernel, params object[] arguments)
    {
        var function = Kernel(kernel);
        var buffer = new byte[function.ParameterBufferSize];
        for (int i = 0; i < arguments.Length; i++)
        {
            var parameter = function.Parameters[i];
            byte[] bytes = arguments[i] switch
            {
                ulong u => BitConverter.GetBytes(u),
                long l => BitConverter.GetBytes(l),
                int n => BitConverter.GetBytes(n),
                uint n => BitConverter.GetBytes(n),
                float f => BitConverter.GetBytes(f),
                double d => BitConverter.GetBytes(d),
                byte[] raw => raw,
                _ => throw new ArgumentException($"unsupported argument {arguments[i]}"),
            };
            bytes.AsSpan(0, (int)Math.Min(bytes.Length, parameter.Size)).CopyTo(buffer.AsSpan((int)parameter.Offset));
        }
        return buffer;
    }

    public LaunchResult Launch(string kernel, LaunchExtent grid, LaunchExtent block, params object[] arguments)
        => LaunchWithShared(kernel, grid, block, 0, arguments);

    public LaunchResult LaunchWithShared(string kernel, LaunchExtent grid, LaunchExtent block, int dynamicShared, params object[] arguments)
    {
        var executable = PtxEngine.Prepare(module, Kernel(kernel));
        var parameters = Pack(kernel, arguments);
        LastCompiledOutcome = null;
        if (Tier is { } only)
            return Run(executable, grid, block, dynamicShared, parameters, only, Printed, Workers).Result;
        if (!DifferentialSettings.Enabled)
            return Run(executable, grid, block, dynamicShared, parameters, EngineTier.Reference, Printed, 1).Result;

        var initial = Memory.Snapshot();
        LaunchOutcome compiled;
        try
        {
            compiled = Run(executable, grid, block, dynamicShared, parameters, EngineTier.Compiled, [], Workers);
        }
        catch (Exception escaped)
        {
            // The engine contract says no exception leaves a launch; one that does is a compiled-tier defect.
            throw new DifferentialMismatchException($"{Header(kernel, grid, block, dynamicShared)}\n  the compiled tier threw {escaped}");
        }
        Memory.Restore(initial);
        var reference = Run(executable, grid, block, dynamicShared, parameters, EngineTier.Reference, [], 1);
        LastCompiledOutcome = compiled;
        Printed.AddRange(reference.Printed);

        var differences = DifferentialComparison.Differences(reference, compiled, ExplainByte);
        if (differences.Count > 0)
            throw new DifferentialMismatchException($"{Header(kernel, grid, block, dynamicShared)}\n  " + string.Join("\n  ", differences));
        return reference.Result;
    }

    LaunchOutcome Run(ExecutableKernel executable, LaunchExtent grid, LaunchExtent block, int dynamicShared, byte[] parameters,
        EngineTier tier, List<string> printed, int workers)
    {
        var services = new LaunchServices
        {
            GlobalMemory = tier == EngineTier.Compiled && CompiledRunMemory is { } view ? view(Memory) : Memory,
            ResolveGlobal = name => globals.TryGetValue(name, out var address) ? address : null,
            PrintfSink = printed.Add,
            InstructionBudget = InstructionBudget,
            Tier = tier,
            Workers = workers,
        };
        var result = PtxEngine.Launch(executable, grid, block, dynamicShared, parameters, services);
        return new LaunchOutcome(tier, result, Memory.Snapshot(), printed);
    }

    string Header(string kernel, LaunchExtent grid, LaunchExtent block, int dynamicShared)
        => $"differential mismatch (compiled tier vs reference interpreter) in kernel '{kernel}'{(Label is null ? "" : $" [{Label}]")}, " +
           $"grid {grid} block {block} dynamic shared {dynamicShared}:";

    public void Dispose() => Memory.Dispose();
}
