using Microsoft.Extensions.Options;

namespace ApiCache.Configuration;

/// <summary>Checks the options that need no I/O; upstream settings are checked when they are resolved.</summary>
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

        Throttling.ThrottlingValidator.Validate(options.Throttling, failures);

        if (options.Cache.Enabled)
        {
            Caching.CachedResourceResolver.Resolve(options.Cache, failures, options.ConsistentReads.Etcd.KeyPrefix);
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
