using ApiCache.Benchmarks;
using BenchmarkDotNet.Running;

// Micro-benchmarks of the forwarding path and the informer cache. Usage:
//   dotnet run -c Release --project benchmarks/ApiCache.Benchmarks -- --filter '*'
//   dotnet run -c Release --project benchmarks/ApiCache.Benchmarks -- --memory   (the cache's bytes per object, no BenchmarkDotNet)
if (args is ["--memory"])
{
    return CacheMemoryReport.Run(Console.Out);
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
