using ApiCache.Caching;
using ApiCache.Configuration;
using Microsoft.Extensions.Configuration;

namespace ApiCache.Tests.Caching;

/// <summary>Cached-resource configuration: defaults, binding from configuration, and one clear message per mistake.</summary>
public sealed class CachedResourceResolverTests
{
    [Fact]
    public void Resolve_NothingConfigured_CachesTheDefaultsWithPodsIndexedByNodeName()
    {
        var errors = new List<string>();

        var definitions = CachedResourceResolver.Resolve(new CacheOptions(), errors);

        Assert.Empty(errors);
        Assert.Equal(
            ["pods", "nodes", "namespaces", "services", "endpoints", "configmaps", "secrets", "serviceaccounts", "deployments.apps"],
            definitions.Select(d => d.DisplayName));
        var pods = definitions[0];
        Assert.Equal("/api/v1/pods", pods.CollectionPath);
        Assert.Equal("Pod", pods.Kind);
        Assert.True(pods.Namespaced);
        Assert.False(pods.IsCustomResource);
        Assert.Equal(["spec.nodeName"], pods.Schema.IndexedFields);
        Assert.True(pods.Schema.IndexOf("status.phase") >= 0, "pod field selectors are extracted for filtering");
        var nodes = definitions[1];
        Assert.False(nodes.Namespaced);
        Assert.Empty(nodes.Schema.IndexedFields);
        Assert.Equal("/apis/apps/v1/deployments", definitions[^1].CollectionPath);
    }

    [Fact]
    public void Resolve_BoundFromJsonConfiguration_ReplacesTheDefaults()
    {
        var options = Bind(new Dictionary<string, string?>
        {
            ["ApiCache:Cache:HistoryMaxEvents"] = "500",
            ["ApiCache:Cache:Resources:0:Resource"] = "pods",
            ["ApiCache:Cache:Resources:0:IndexedFields:0"] = "spec.nodeName",
            ["ApiCache:Cache:Resources:0:IndexedFields:1"] = "status.phase",
            ["ApiCache:Cache:Resources:0:MaxBytes"] = "1000000",
            ["ApiCache:Cache:Resources:1:Group"] = "example.com",
            ["ApiCache:Cache:Resources:1:Resource"] = "widgets",
            ["ApiCache:Cache:Resources:1:Namespaced"] = "true",
            ["ApiCache:Cache:Resources:1:SelectableFields:0"] = "spec.color",
            ["ApiCache:Cache:Resources:1:HistoryWindow"] = "00:00:30",
            ["ApiCache:Cache:Resources:2:Resource"] = "nodes",
            ["ApiCache:Cache:Resources:2:Enabled"] = "false",
        });
        var errors = new List<string>();

        var definitions = CachedResourceResolver.Resolve(options.Cache, errors);

        Assert.Empty(errors);
        Assert.Equal(["pods", "widgets.example.com"], definitions.Select(d => d.DisplayName));
        Assert.Equal(["spec.nodeName", "status.phase"], definitions[0].Schema.IndexedFields);
        Assert.Equal(1_000_000, definitions[0].MaxBytes);
        Assert.Equal(500, definitions[0].HistoryMaxEvents);
        var widgets = definitions[1];
        Assert.True(widgets.IsCustomResource);
        Assert.Null(widgets.Kind);
        Assert.Equal("/apis/example.com/v1/widgets", widgets.CollectionPath);
        Assert.Equal(TimeSpan.FromSeconds(30), widgets.HistoryWindow);
        Assert.Contains("spec.color", widgets.FieldConversion.SupportedFields);
        Assert.True(widgets.Schema.IndexOf("spec.color") >= 0);
    }

    [Theory]
    [InlineData("Resource", "", "ApiCache:Cache:Resources:0:Resource is required")]
    [InlineData("Resource", "Pods", "ApiCache:Cache:Resources:0:Resource \"Pods\" is not a resource name")]
    [InlineData("Group", "Example_com", "ApiCache:Cache:Resources:0:Group \"Example_com\" is not an API group name")]
    [InlineData("Version", "1", "ApiCache:Cache:Resources:0:Version \"1\" is not an API version")]
    [InlineData("Namespaced", "true", "ApiCache:Cache:Resources:0: nodes is cluster-scoped; remove Namespaced or set it to false.")]
    [InlineData("IndexedFields:0", "spec..nodeName", "ApiCache:Cache:Resources:0:IndexedFields: \"spec..nodeName\" is not a field path")]
    [InlineData("IndexedFields:0", "metadata.labels.app", "cannot be indexed as a field")]
    [InlineData("SelectableFields:0", "spec.x", "SelectableFields applies to custom resources only")]
    [InlineData("HistoryWindow", "00:00:00", "ApiCache:Cache:Resources:0:HistoryWindow must be positive")]
    [InlineData("HistoryMaxEvents", "0", "ApiCache:Cache:Resources:0:HistoryMaxEvents must be at least 1")]
    [InlineData("MaxBytes", "-1", "ApiCache:Cache:Resources:0:MaxBytes must be positive")]
    public void Resolve_BadEntry_NamesTheSettingAndTheMistake(string setting, string value, string expected)
    {
        var settings = new Dictionary<string, string?> { ["ApiCache:Cache:Resources:0:Resource"] = "nodes" };
        settings["ApiCache:Cache:Resources:0:" + setting] = value;
        var errors = new List<string>();

        var definitions = CachedResourceResolver.Resolve(Bind(settings).Cache, errors);

        Assert.Empty(definitions);
        Assert.Contains(errors, e => e.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Resolve_CustomResourceWithoutScope_AsksForNamespaced()
    {
        var options = new CacheOptions { Resources = [new() { Group = "example.com", Resource = "widgets" }] };
        var errors = new List<string>();

        CachedResourceResolver.Resolve(options, errors);

        Assert.Equal(["ApiCache:Cache:Resources:0:Namespaced must be set for widgets.example.com (its scope is not built in)."], errors);
    }

    [Fact]
    public void Resolve_SameResourceTwice_IsRejected()
    {
        var options = new CacheOptions { Resources = [new() { Resource = "pods" }, new() { Resource = "pods", Version = "v2" }] };
        var errors = new List<string>();

        CachedResourceResolver.Resolve(options, errors);

        Assert.Equal(["ApiCache:Cache:Resources:1: pods is listed more than once; cache each resource in one version only."], errors);
    }

    [Theory]
    [InlineData("HistoryWindow", "-00:00:01", "ApiCache:Cache:HistoryWindow must be positive")]
    [InlineData("MinWatchTimeout", "00:00:00.500", "ApiCache:Cache:MinWatchTimeout must be at least 1 second")]
    [InlineData("MaxBackoff", "00:00:00.100", "ApiCache:Cache:MaxBackoff (00:00:00.1000000) must not be shorter than InitialBackoff")]
    [InlineData("ListPageSize", "0", "ApiCache:Cache:ListPageSize must be between 1 and 100000")]
    [InlineData("MaxBytesPerResource", "0", "ApiCache:Cache:MaxBytesPerResource must be positive")]
    [InlineData("HistoryMaxEvents", "0", "ApiCache:Cache:HistoryMaxEvents must be at least 1")]
    public void Resolve_BadSharedSetting_NamesIt(string setting, string value, string expected)
    {
        var errors = new List<string>();

        CachedResourceResolver.Resolve(Bind(new Dictionary<string, string?> { ["ApiCache:Cache:" + setting] = value }).Cache, errors);

        Assert.Contains(errors, e => e.StartsWith(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_CacheMistake_FailsStartUpValidation()
    {
        var options = new ApiCacheOptions { Cache = { Resources = [new() { Resource = "" }] } };

        var result = new ApiCacheOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains("ApiCache:Cache:Resources:0:Resource is required", result.FailureMessage, StringComparison.Ordinal);
    }

    private static ApiCacheOptions Bind(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var options = new ApiCacheOptions();
        configuration.GetSection(ApiCacheOptions.SectionName).Bind(options);
        return options;
    }
}
