using ApiCache.Informers;
using ApiCache.Storage;

namespace ApiCache.Tests.Informers;

/// <summary>One call a <see cref="RecordingSink"/> received.</summary>
internal sealed record SinkCall(
    SinkCallKind Kind,
    long ResourceVersion,
    RelistReason? Reason = null,
    IReadOnlyList<CachedObject>? Items = null,
    ListTypeInfo? TypeInfo = null,
    WatchEventType? Type = null,
    CachedObject? Object = null)
{
    /// <summary>A readable one-line form for assertion messages.</summary>
    public override string ToString() => Kind switch
    {
        SinkCallKind.Replace => $"Replace({Items!.Count} items @{ResourceVersion})",
        SinkCallKind.Apply => $"Apply({Type} {Object!.Key} @{ResourceVersion})",
        SinkCallKind.Progress => $"Progress(@{ResourceVersion})",
        _ => $"RelistStarting({Reason})",
    };
}
