using System.Buffers;
using System.Globalization;
using System.Text;
using ApiCache.Caching;
using ApiCache.Informers;
using ApiCache.Serving;
using ApiCache.Storage;

namespace ApiCache.Watch;

/// <summary>
/// Frames watch events of one resource the way the apiserver's JSON watch encoder does: one
/// <c>{"type":"..","object":{..}}</c> per line. Stored objects are list items (built-in kinds without
/// <c>kind</c>/<c>apiVersion</c>), so a typed object gets them put back in front; the object bytes
/// themselves are copied, never re-serialized. Bookmarks are the empty object of the kind with only a
/// resourceVersion (fixtures README "Notable facts" 4).
/// </summary>
internal sealed class WatchEncoder
{
    private static readonly byte[] ObjectSuffix = "}\n"u8.ToArray();
    private static readonly byte[][] TypePrefixes =
    [
        "{\"type\":\"ADDED\",\"object\":"u8.ToArray(),
        "{\"type\":\"MODIFIED\",\"object\":"u8.ToArray(),
        "{\"type\":\"DELETED\",\"object\":"u8.ToArray(),
    ];

    private readonly byte[]? _typeMeta;
    private readonly string _kind;
    private readonly string _bookmarkTail;
    private readonly bool _unstructured;

    /// <summary>Creates the encoder of a resource whose lists said <paramref name="type"/>.</summary>
    public WatchEncoder(CachedResourceDefinition definition, ListTypeInfo type)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(type);
        Type = type;
        _unstructured = definition.IsCustomResource;
        _typeMeta = _unstructured ? null : Encoding.UTF8.GetBytes($"{{\"kind\":\"{type.Kind}\",\"apiVersion\":\"{type.ApiVersion}\",");
        _kind = type.Kind;
        _bookmarkTail = _unstructured ? "" : BuiltInResources.EmptyObjectTail(definition.Group, definition.Resource);
    }

    /// <summary>The list type the encoder was made for (a re-list may change it; the encoder is then replaced).</summary>
    public ListTypeInfo Type { get; }

    /// <summary>Writes one event line (ADDED, MODIFIED or DELETED of <paramref name="cachedObject"/>) into <paramref name="output"/>.</summary>
    public void WriteEvent(IBufferWriter<byte> output, WatchEventType type, CachedObject cachedObject)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(cachedObject);
        var span = output.GetSpan(EventLength(type, cachedObject));
        var written = Fill(span, type, cachedObject);
        output.Advance(written);
    }

    /// <summary>One event line as a new array, to be written to many watchers.</summary>
    public byte[] EncodeEvent(WatchEventType type, CachedObject cachedObject)
    {
        ArgumentNullException.ThrowIfNull(cachedObject);
        var frame = GC.AllocateUninitializedArray<byte>(EventLength(type, cachedObject));
        Fill(frame, type, cachedObject);
        return frame;
    }

    /// <summary>What a watcher is sent for <paramref name="e"/> when <paramref name="delivery"/> says how it sees it.</summary>
    public static (WatchEventType Type, CachedObject Object) Resolve(EventDelivery delivery, WatchCacheEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return delivery switch
        {
            EventDelivery.Added => (WatchEventType.Added, e.Object),
            EventDelivery.Modified => (WatchEventType.Modified, e.Object),
            EventDelivery.Deleted => (WatchEventType.Deleted, e.Object),
            EventDelivery.DeletedPrevious => (WatchEventType.Deleted, ObjectDecoder.WithResourceVersion(e.Previous!, e.ResourceVersion)),
            _ => throw new ArgumentOutOfRangeException(nameof(delivery), delivery, "nothing is delivered"),
        };
    }

    /// <summary>
    /// A BOOKMARK line at <paramref name="resourceVersion"/>; with <paramref name="initialEventsEnd"/> it
    /// carries the <c>k8s.io/initial-events-end</c> annotation that ends a WatchList's initial events.
    /// </summary>
    public byte[] EncodeBookmark(long resourceVersion, bool initialEventsEnd) =>
        Encoding.UTF8.GetBytes($"{{\"type\":\"BOOKMARK\",\"object\":{BookmarkObject(_kind, Type.ApiVersion, _unstructured, _bookmarkTail, resourceVersion, initialEventsEnd)}}}\n");

    /// <summary>
    /// The object of a BOOKMARK: the kind's empty object with only <c>metadata.resourceVersion</c> (and the
    /// initial-events-end annotation when asked). Typed kinds lead with kind and apiVersion and end with the
    /// kind's zero-valued fields (<paramref name="emptyObjectTail"/>); unstructured ones have sorted keys.
    /// </summary>
    public static string BookmarkObject(string kind, string apiVersion, bool unstructured, string emptyObjectTail, long resourceVersion, bool initialEventsEnd)
    {
        var rv = resourceVersion.ToString(CultureInfo.InvariantCulture);
        const string Annotations = "\"annotations\":{\"k8s.io/initial-events-end\":\"true\"}";
        if (unstructured)
        {
            var sorted = initialEventsEnd ? $"{Annotations},\"resourceVersion\":\"{rv}\"" : $"\"resourceVersion\":\"{rv}\"";
            return $"{{\"apiVersion\":\"{apiVersion}\",\"kind\":\"{kind}\",\"metadata\":{{{sorted}}}}}";
        }

        var metadata = initialEventsEnd ? $"\"resourceVersion\":\"{rv}\",{Annotations}" : $"\"resourceVersion\":\"{rv}\"";
        return $"{{\"kind\":\"{kind}\",\"apiVersion\":\"{apiVersion}\",\"metadata\":{{{metadata}}}{emptyObjectTail}}}";
    }

    /// <summary>An ERROR line carrying <paramref name="error"/> as a Status (a 410 after the headers were sent).</summary>
    public static byte[] EncodeError(StatusError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        var status = StatusWriter.ToBytes(error); // ends in '\n'
        var prefix = "{\"type\":\"ERROR\",\"object\":"u8;
        var frame = new byte[prefix.Length + status.Length - 1 + ObjectSuffix.Length];
        prefix.CopyTo(frame);
        status.AsSpan(0, status.Length - 1).CopyTo(frame.AsSpan(prefix.Length));
        ObjectSuffix.CopyTo(frame, frame.Length - ObjectSuffix.Length);
        return frame;
    }

    private int EventLength(WatchEventType type, CachedObject cachedObject) =>
        TypePrefixes[(int)type].Length + ObjectLength(cachedObject) + ObjectSuffix.Length;

    private int ObjectLength(CachedObject cachedObject) =>
        _typeMeta is null ? cachedObject.Json.Length : _typeMeta.Length + cachedObject.Json.Length - 1;

    private int Fill(Span<byte> span, WatchEventType type, CachedObject cachedObject)
    {
        var prefix = TypePrefixes[(int)type];
        prefix.CopyTo(span);
        var at = prefix.Length;
        var json = cachedObject.Json;
        if (_typeMeta is null)
        {
            json.CopyTo(span[at..]);
            at += json.Length;
        }
        else
        {
            // {"metadata":..} becomes {"kind":..,"apiVersion":..,"metadata":..}
            _typeMeta.CopyTo(span[at..]);
            at += _typeMeta.Length;
            json.AsSpan(1).CopyTo(span[at..]);
            at += json.Length - 1;
        }

        ObjectSuffix.CopyTo(span[at..]);
        return at + ObjectSuffix.Length;
    }
}
