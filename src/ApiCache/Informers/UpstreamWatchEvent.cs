using ApiCache.Serving;

namespace ApiCache.Informers;

/// <summary>
/// One event of an upstream watch stream. <see cref="Object"/> is a slice of the stream's buffer,
/// valid only until the enumerator moves on: decode or copy it before asking for the next event.
/// </summary>
/// <param name="Type">The event's type.</param>
/// <param name="Object">The raw UTF-8 JSON of the event's <c>object</c>, exactly as received.</param>
/// <param name="Status">For <see cref="UpstreamWatchEventType.Error"/>: the Status the object carries; otherwise null.</param>
internal readonly record struct UpstreamWatchEvent(UpstreamWatchEventType Type, ReadOnlyMemory<byte> Object, StatusError? Status);
