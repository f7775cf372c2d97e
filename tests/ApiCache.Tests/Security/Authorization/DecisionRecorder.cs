using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace ApiCache.Tests.Security.Authorization;

/// <summary>
/// Records each <c>apicache_authorization_decisions</c> measurement of one meter as
/// <c>decision/cached</c> (e.g. <c>allowed/true</c>), in order.
/// </summary>
internal sealed class DecisionRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<string> _measurements = new();

    public DecisionRecorder(Meter meter)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, meter) && instrument.Name == "apicache_authorization_decisions")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            string? decision = null, cached = null;
            foreach (var tag in tags)
            {
                if (tag.Key == "decision")
                {
                    decision = tag.Value as string;
                }
                else if (tag.Key == "cached")
                {
                    cached = tag.Value as string;
                }
            }

            _measurements.Enqueue($"{decision}/{cached}");
        });
        _listener.Start();
    }

    /// <summary>The measurements so far.</summary>
    public IReadOnlyList<string> Measurements => [.. _measurements];

    public void Dispose() => _listener.Dispose();
}
