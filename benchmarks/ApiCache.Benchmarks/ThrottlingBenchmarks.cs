using ApiCache.Configuration;
using ApiCache.Metrics;
using ApiCache.Requests;
using ApiCache.Throttling;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace ApiCache.Benchmarks;

/// <summary>
/// What User-Agent throttling costs every API request: the gate as the DI container builds it
/// (metrics exporter listening, as in production), with no rule, 20 rules that do not match, a
/// matching token bucket that allows and a matching rule that rejects (the 429 Status written to a
/// null body). Every operation builds a fresh <see cref="DefaultHttpContext"/>, because the gate
/// parses the request info into the request's features; <see cref="ContextAndParseOnly"/> is that
/// fixed part, so the other rows minus it are the gate's own cost.
/// </summary>
[MemoryDiagnoser]
public class ThrottlingBenchmarks : IDisposable
{
    /// <summary>A kubelet's User-Agent, as client-go formats it.</summary>
    private const string UserAgent = "kubelet/v1.33.1 (linux/amd64) kubernetes/abc";

    private static readonly QueryString Query = new("?limit=500&resourceVersion=0");

    private static readonly RequestDelegate Next = static _ => Task.CompletedTask;

    private readonly List<ServiceProvider> _providers = [];
    private ThrottleGate _noRules = null!;
    private ThrottleGate _twentyMisses = null!;
    private ThrottleGate _allows = null!;
    private ThrottleGate _rejects = null!;

    [GlobalSetup]
    public void Setup()
    {
        _noRules = Gate(_ => { });
        _twentyMisses = Gate(rules =>
        {
            for (var i = 0; i < 20; i++)
            {
                // Mostly exact products, a few prefixes and regular expressions, as an operator would write them.
                var match = i switch
                {
                    < 16 => new UserAgentMatchOptions { Product = $"controller-{i}" },
                    < 18 => new UserAgentMatchOptions { ProductPrefix = $"operator-{i}-" },
                    _ => new UserAgentMatchOptions { Regex = $"^batch-job-{i}-[0-9]+$" },
                };
                rules.Add(Rule($"miss-{i}", match, new ThrottleLimiterOptions { Type = ThrottleLimiterType.TokenBucket, Rate = 5, Burst = 10 }));
            }
        });

        // A bucket this size refills faster than one benchmark thread can drain it; AllowedByTokenBucket checks it never refused.
        _allows = Gate(rules => rules.Add(Rule(
            "kubelet",
            new UserAgentMatchOptions { Product = "kubelet" },
            new ThrottleLimiterOptions { Type = ThrottleLimiterType.TokenBucket, Rate = ThrottleRuleValidator.MaxLimit, Burst = ThrottleRuleValidator.MaxLimit })));
        _rejects = Gate(rules => rules.Add(Rule(
            "kubelet",
            new UserAgentMatchOptions { Product = "kubelet" },
            new ThrottleLimiterOptions { Type = ThrottleLimiterType.Reject })));
    }

    [GlobalCleanup]
    public void Dispose()
    {
        foreach (var provider in _providers)
        {
            provider.Dispose();
        }

        _providers.Clear();
        GC.SuppressFinalize(this);
    }

    /// <summary>The fixed part of every row: a new request context and its parsed request info.</summary>
    [Benchmark(Baseline = true)]
    public Task ContextAndParseOnly()
    {
        var context = NewContext();
        RequestInfoFeature.Get(context);
        return Next(context);
    }

    /// <summary>(1) No rule: only the global in-flight count, traffic and metrics.</summary>
    [Benchmark]
    public Task NoRules() => Run(_noRules, 200);

    /// <summary>(2) 20 rules, none matching the kubelet.</summary>
    [Benchmark]
    public Task TwentyRulesNoMatch() => Run(_twentyMisses, 200);

    /// <summary>(3) A matching token bucket with tokens to spare.</summary>
    [Benchmark]
    public Task AllowedByTokenBucket() => Run(_allows, 200);

    /// <summary>(4) A matching rule that rejects: 429 Status written to the (null) body.</summary>
    [Benchmark]
    public Task RejectedByRule() => Run(_rejects, 429);

    /// <summary>(5) The User-Agent product token alone.</summary>
    [Benchmark]
    public string ProductToken() => UserAgentProduct.Parse(UserAgent);

    private static DefaultHttpContext NewContext()
    {
        // DefaultHttpContext's response body is Stream.Null: the 429 body is serialized and discarded.
        var context = new DefaultHttpContext();
        context.Request.Method = HttpMethods.Get;
        context.Request.Path = "/api/v1/namespaces/default/pods";
        context.Request.QueryString = Query;
        context.Request.Headers.UserAgent = UserAgent;
        return context;
    }

    /// <summary>Runs <paramref name="gate"/> on a new request; fails the run if the outcome is not <paramref name="expectedStatus"/>.</summary>
    private static Task Run(ThrottleGate gate, int expectedStatus)
    {
        var context = NewContext();
        var task = gate.RunAsync(context, Next);
        if (!task.IsCompletedSuccessfully || context.Response.StatusCode != expectedStatus)
        {
            throw new InvalidOperationException($"Expected a synchronous {expectedStatus}, got {context.Response.StatusCode} (task {task.Status}).");
        }

        return task;
    }

    private static ThrottleRuleOptions Rule(string name, UserAgentMatchOptions match, ThrottleLimiterOptions limiter) =>
        new() { Name = name, UserAgent = match, Limiter = limiter };

    /// <summary>The gate as <c>AddApiCache</c> builds it, with the metrics exporter listening as in production.</summary>
    private ThrottleGate Gate(Action<IList<ThrottleRuleOptions>> rules)
    {
        var services = new ServiceCollection()
            .AddLogging()
            .AddApiCache(options =>
            {
                options.Upstream.Servers.Add(new UpstreamServerOptions { Url = "http://127.0.0.1:9/" });
                options.Cache.Enabled = false;
                options.Security.Mode = SecurityMode.Trusted;
                rules(options.Throttling.Rules);
            })
            .BuildServiceProvider();
        _providers.Add(services);
        services.GetRequiredService<PrometheusTextExporter>();
        return services.GetRequiredService<ThrottleGate>();
    }
}
