using ApiCache.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace ApiCache.Throttling;

/// <summary>
/// Applies reloaded configuration (e.g. an edited <c>appsettings.json</c>, which
/// <c>WebApplication</c> reloads on change) to the throttling rules and limits. The options are
/// built and validated afresh; invalid ones are logged and counted and change nothing, so a typo
/// in the file never drops the rules in force. Hosts that configure ApiCache in code (no change
/// token source) have nothing to reload.
/// </summary>
internal sealed class ThrottleConfigurationReloader : IDisposable
{
    private readonly IOptionsFactory<ApiCacheOptions> _factory;
    private readonly ThrottleRuleStore _store;
    private readonly ThrottlingMetrics _metrics;
    private readonly ILogger<ThrottleConfigurationReloader> _logger;
    private readonly List<IDisposable> _registrations = [];
    private readonly Lock _gate = new();
    private string? _lastRefused;

    public ThrottleConfigurationReloader(
        IEnumerable<IOptionsChangeTokenSource<ApiCacheOptions>> sources,
        IOptionsFactory<ApiCacheOptions> factory,
        ThrottleRuleStore store,
        ThrottlingMetrics metrics,
        ILogger<ThrottleConfigurationReloader> logger)
    {
        ArgumentNullException.ThrowIfNull(sources);
        _factory = factory;
        _store = store;
        _metrics = metrics;
        _logger = logger;
        foreach (var source in sources)
        {
            if (source.Name == Options.DefaultName)
            {
                _registrations.Add(ChangeToken.OnChange(source.GetChangeToken, Reload));
            }
        }
    }

    /// <summary>Builds the options from the current configuration and applies their throttling part.</summary>
    public void Reload()
    {
        ApiCacheOptions options;
        try
        {
            options = _factory.Create(Options.DefaultName);
        }
        catch (OptionsValidationException e)
        {
            Refuse(string.Join(" ", e.Failures));
            return;
        }
        catch (InvalidOperationException e)
        {
            // The binder's "Failed to convert configuration value at 'ApiCache:...' to type ...".
            Refuse(e.Message);
            return;
        }

        lock (_gate)
        {
            _lastRefused = null;
        }

        _store.ApplyConfiguration(options.Throttling);
    }

    /// <summary>Stops watching the configuration.</summary>
    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }
    }

    /// <summary>Logs and counts a refused reload, once per distinct problem (file watchers often report one save twice).</summary>
    private void Refuse(string errors)
    {
        lock (_gate)
        {
            if (errors == _lastRefused)
            {
                return;
            }

            _lastRefused = errors;
        }

        _metrics.RuleChangeRejected(ThrottleChangeSource.File);
        ThrottlingLog.ReloadInvalid(_logger, _store.Current.Generation, errors);
    }
}
