using ApiCache.Configuration;
using ApiCache.Metrics;
using ApiCache.Requests;
using ApiCache.Security;
using BenchmarkDotNet.Attributes;
using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace ApiCache.Benchmarks;

/// <summary>
/// What authorizing a cache-served read costs when the decision is cached (the common case: a
/// kubelet repeating its own <c>spec.nodeName</c> list): the review attributes built from the
/// request (selectors parsed into requirements), the cache key, and the decision cache lookup.
/// The upstream reviewer behind the cache answers at once and is asked only once per key.
/// </summary>
[MemoryDiagnoser]
public class AuthorizationBenchmarks : IDisposable
{
    private static readonly UserInfo Kubelet = UserInfo.Authenticated("system:node:node-17", "", ["system:nodes"]);

    private static readonly KubernetesRequestInfo PodList = new()
    {
        IsResourceRequest = true,
        Verb = "list",
        ApiPrefix = "api",
        ApiVersion = "v1",
        Resource = "pods",
        Path = "/api/v1/pods",
    };

    private readonly IQueryCollection _query = new DefaultHttpContext { Request = { QueryString = new QueryString("?fieldSelector=spec.nodeName%3Dnode-17&limit=500&resourceVersion=0") } }.Request.Query;
    private ServiceProvider _services = null!;
    private CachingAccessReviewer _reviewer = null!;
    private AccessReviewAttributes _attributes = null!;

    [GlobalSetup]
    public void Setup()
    {
        _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var metrics = new ApiCacheMetrics(_services.GetRequiredService<IMeterFactory>());
        _reviewer = new CachingAccessReviewer(new AllowAll(), new CallerAuthorizationOptions { AllowTtl = TimeSpan.FromHours(1) }, TimeProvider.System, new AuthorizationMetrics(metrics));
        _attributes = RequestAuthorizer.ForRead(Kubelet, PodList, _query, selectors: true);
        _ = _reviewer.ReviewAsync(_attributes, CancellationToken.None).AsTask().GetAwaiter().GetResult();
    }

    /// <summary>The review attributes of a kubelet's pod list, selectors included.</summary>
    [Benchmark]
    public int Attributes() => RequestAuthorizer.ForRead(Kubelet, PodList, _query, selectors: true).FieldSelector.Count;

    /// <summary>The decision cache's key of those attributes.</summary>
    [Benchmark]
    public string CacheKey() => _attributes.CacheKey();

    /// <summary>Attributes, key and a cached decision: the whole per-request cost of a cached allow.</summary>
    [Benchmark(Baseline = true)]
    public bool CachedDecision()
    {
        var attributes = RequestAuthorizer.ForRead(Kubelet, PodList, _query, selectors: true);
        var pending = _reviewer.ReviewAsync(attributes, CancellationToken.None);
        return pending.IsCompletedSuccessfully && pending.Result.Allowed;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _reviewer?.Dispose();
        _services?.Dispose();
        GC.SuppressFinalize(this);
    }

    private sealed class AllowAll : IAccessReviewer
    {
        public ValueTask<AccessDecision> ReviewAsync(AccessReviewAttributes attributes, CancellationToken cancellationToken) => ValueTask.FromResult(AccessDecision.Allow);
    }
}
