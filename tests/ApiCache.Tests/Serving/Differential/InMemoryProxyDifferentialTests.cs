using ApiCache.DevServer.Storage;
using Xunit.Abstractions;

namespace ApiCache.Tests.Serving.Differential;

/// <summary>The differential run with the dev server over its in-memory store.</summary>
public sealed class InMemoryProxyDifferentialTests(ITestOutputHelper output) : ProxyDifferentialTests(output)
{
    private protected override int SampledListCells => 320;

    private protected override int WriteRounds => 16;

    private protected override int WriteBetweenPagesOneIn => 6;

    private protected override IRevisionedStore? CreateStore() => null;
}
