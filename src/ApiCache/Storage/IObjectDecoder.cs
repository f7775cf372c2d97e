using System.Diagnostics.CodeAnalysis;

namespace ApiCache.Storage;

/// <summary>
/// Turns one object's JSON, as it arrives from the upstream (a LIST item, or a watch event's object
/// which for typed kinds also carries <c>kind</c>/<c>apiVersion</c>), into a <see cref="CachedObject"/>
/// in list-item form with its metadata extracted in one pass.
/// </summary>
internal interface IObjectDecoder
{
    /// <summary>Decodes; false with a message when the JSON is not an object with metadata.name and a numeric resourceVersion.</summary>
    bool TryDecode(ReadOnlySpan<byte> json, [NotNullWhen(true)] out CachedObject? cachedObject, [NotNullWhen(false)] out string? error);
}
