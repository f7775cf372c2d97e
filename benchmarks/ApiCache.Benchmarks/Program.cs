using BenchmarkDotNet.Running;

// Micro-benchmarks of per-request work on the forwarding path. Usage:
//   dotnet run -c Release --project benchmarks/ApiCache.Benchmarks -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
