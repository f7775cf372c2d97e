using Microsoft.Extensions.Options;

namespace ApiCache.Configuration;

/// <summary>Checks the options without contacting anything (files named by the etcd settings must exist); upstream settings are checked when they are resolved.</summary>
internal sealed class ApiCacheOptionsValidator : IValidateOptions<ApiCacheOptions>
{
    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, ApiCacheOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.Forwarding.ActivityTimeout <= TimeSpan.Zero)
        {
            failures.Add($"ApiCache:Forwarding:ActivityTimeout must be positive (got {options.Forwarding.ActivityTimeout}).");
        }

        if (options.Forwarding.ConnectTimeout <= TimeSpan.Zero)
        {
            failures.Add($"ApiCache:Forwarding:ConnectTimeout must be positive (got {options.Forwarding.ConnectTimeout}).");
        }

        if (options.Metrics.Enabled && (string.IsNullOrEmpty(options.Metrics.Path) || options.Metrics.Path[0] != '/'))
        {
            failures.Add($"ApiCache:Metrics:Path must start with '/' (got '{options.Metrics.Path}').");
        }

        if (options.Metrics.MaxSeriesPerInstrument < 1)
        {
            failures.Add($"ApiCache:Metrics:MaxSeriesPerInstrument must be at least 1 (got {options.Metrics.MaxSeriesPerInstrument}).");
        }

        Throttling.ThrottlingValidator.Validate(options.Throttling, failures, adminIdentitiesRequired: options.Security.Mode == SecurityMode.Trusted);
        ValidateBalancing(options.Balancing, failures);
        ValidateEtcd(options.ConsistentReads, failures);
        ValidateSecurity(options.Security, failures);

        if (options.Cache.Enabled)
        {
            Caching.CachedResourceResolver.Resolve(options.Cache, failures, options.ConsistentReads.Etcd.KeyPrefix);
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>The upstream pool's settings: periods and thresholds in range, the go-away chance a probability.</summary>
    private static void ValidateBalancing(BalancingOptions balancing, List<string> failures)
    {
        const string Section = "ApiCache:Balancing";
        if (!Enum.IsDefined(balancing.Strategy))
        {
            failures.Add($"{Section}:Strategy '{balancing.Strategy}' is not a strategy; use LeastOutstanding or RoundRobin.");
        }

        if (balancing.HealthCheckPeriod < TimeSpan.Zero)
        {
            failures.Add($"{Section}:HealthCheckPeriod must be zero (no active checks) or positive (got {balancing.HealthCheckPeriod}).");
        }

        if (balancing.HealthCheckTimeout <= TimeSpan.Zero)
        {
            failures.Add($"{Section}:HealthCheckTimeout must be positive (got {balancing.HealthCheckTimeout}).");
        }

        foreach (var (value, key) in new[]
        {
            (balancing.UnhealthyThreshold, "UnhealthyThreshold"),
            (balancing.HealthyThreshold, "HealthyThreshold"),
            (balancing.PassiveFailureThreshold, "PassiveFailureThreshold"),
            (balancing.ConnectionPoolsPerEndpoint, "ConnectionPoolsPerEndpoint"),
        })
        {
            if (value < 1)
            {
                failures.Add($"{Section}:{key} must be at least 1 (got {value}).");
            }
        }

        foreach (var (value, key) in new[]
        {
            (balancing.PassiveFailureWindow, "PassiveFailureWindow"),
            (balancing.DefaultCooldown, "DefaultCooldown"),
            (balancing.MaxCooldown, "MaxCooldown"),
        })
        {
            if (value <= TimeSpan.Zero)
            {
                failures.Add($"{Section}:{key} must be positive (got {value}).");
            }
        }

        if (balancing.ConnectionLifetime < TimeSpan.Zero || balancing.ConnectionLifetimeJitter < TimeSpan.Zero)
        {
            failures.Add($"{Section}:ConnectionLifetime and {Section}:ConnectionLifetimeJitter must not be negative (got {balancing.ConnectionLifetime} and {balancing.ConnectionLifetimeJitter}); zero ConnectionLifetime keeps connections open.");
        }

        if (double.IsNaN(balancing.GoAwayChance) || balancing.GoAwayChance is < 0 or > 1)
        {
            failures.Add($"{Section}:GoAwayChance must be a probability between 0 (off) and 1 (got {balancing.GoAwayChance}); the apiserver's --goaway-chance is usually 0.001 to 0.02.");
        }
    }

    /// <summary>
    /// Authentication and identity forwarding: known modes, sane token cache settings, files that
    /// exist, and both front-proxy files in front-proxy mode. (That the upstream has credentials of
    /// ApiCache's own is checked when the upstream is resolved, since a kubeconfig may supply them.)
    /// </summary>
    private static void ValidateSecurity(SecurityOptions security, List<string> failures)
    {
        const string Section = "ApiCache:Security";
        if (!Enum.IsDefined(security.Mode))
        {
            failures.Add($"{Section}:Mode '{security.Mode}' is not a mode; use Authenticate or Trusted.");
            return;
        }

        if (security.Mode != SecurityMode.Authenticate)
        {
            return;
        }

        var authentication = security.Authentication;
        if (authentication.TokenSuccessTtl < TimeSpan.Zero || authentication.TokenFailureTtl < TimeSpan.Zero)
        {
            failures.Add($"{Section}:Authentication:TokenSuccessTtl and TokenFailureTtl must not be negative (got {authentication.TokenSuccessTtl} and {authentication.TokenFailureTtl}); zero does not cache.");
        }

        if (authentication.TokenCacheSize < 1)
        {
            failures.Add($"{Section}:Authentication:TokenCacheSize must be at least 1 (got {authentication.TokenCacheSize}).");
        }

        if (!string.IsNullOrWhiteSpace(authentication.ClientCaFile) && !File.Exists(authentication.ClientCaFile))
        {
            failures.Add($"{Section}:Authentication:ClientCaFile '{authentication.ClientCaFile}' does not exist; fix the path or create the file.");
        }

        var forwarding = security.Forwarding;
        if (!Enum.IsDefined(forwarding.Mode))
        {
            failures.Add($"{Section}:Forwarding:Mode '{forwarding.Mode}' is not a mode; use Impersonate or FrontProxy.");
            return;
        }

        if (forwarding.Mode != IdentityForwardingMode.FrontProxy)
        {
            return;
        }

        if (string.IsNullOrWhiteSpace(forwarding.FrontProxyCertificateFile) || string.IsNullOrWhiteSpace(forwarding.FrontProxyKeyFile))
        {
            failures.Add($"{Section}:Forwarding:Mode is FrontProxy, so {Section}:Forwarding:FrontProxyCertificateFile and {Section}:Forwarding:FrontProxyKeyFile must both be set (the client certificate the upstream trusts through --requestheader-client-ca-file, and its key).");
            return;
        }

        foreach (var (file, key) in new[] { (forwarding.FrontProxyCertificateFile, "FrontProxyCertificateFile"), (forwarding.FrontProxyKeyFile, "FrontProxyKeyFile") })
        {
            if (!File.Exists(file))
            {
                failures.Add($"{Section}:Forwarding:{key} '{file}' does not exist; fix the path or create the file.");
            }
        }
    }

    /// <summary>The etcd revision source's settings, when it is the configured source (its files are checked to exist, not parsed).</summary>
    private static void ValidateEtcd(ConsistentReadOptions reads, List<string> failures)
    {
        if (reads.Source != RevisionSourceKind.Etcd)
        {
            return;
        }

        const string Section = "ApiCache:ConsistentReads:Etcd";
        var etcd = reads.Etcd;
        if (etcd.Endpoints.Count == 0)
        {
            failures.Add($"{Section}:Endpoints must list at least one etcd client URL (e.g. https://127.0.0.1:2379) when ApiCache:ConsistentReads:Source is Etcd.");
        }

        for (var i = 0; i < etcd.Endpoints.Count; i++)
        {
            if (Upstream.UpstreamMaterial.TryParseServerUrl(etcd.Endpoints[i] ?? "", out var reason) is null)
            {
                failures.Add($"{Section}:Endpoints:{i} '{etcd.Endpoints[i]}' {reason}.");
            }
        }

        if (string.IsNullOrEmpty(etcd.CertFile) != string.IsNullOrEmpty(etcd.KeyFile))
        {
            failures.Add($"{Section}:CertFile and {Section}:KeyFile go together: set both (a client certificate and its key) or neither.");
        }

        foreach (var (file, key) in new[] { (etcd.CaFile, "CaFile"), (etcd.CertFile, "CertFile"), (etcd.KeyFile, "KeyFile") })
        {
            if (!string.IsNullOrEmpty(file) && !File.Exists(file))
            {
                failures.Add($"{Section}:{key} '{file}' does not exist; fix the path or create the file.");
            }
        }

        if (etcd.RequestTimeout <= TimeSpan.Zero)
        {
            failures.Add($"{Section}:RequestTimeout must be positive (got {etcd.RequestTimeout}).");
        }
    }
}
