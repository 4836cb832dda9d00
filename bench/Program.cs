using BenchmarkDotNet.Running;

// Entry point for all benchmarks: `dotnet run -c Release --project bench -- --filter '*'`.
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
