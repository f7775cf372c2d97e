using ApiCache.DevServer.Resources;
using ApiCache.DevServer.Storage;

namespace ApiCache.DevServer.Objects;

/// <summary>One object as read from the store: its stored bytes and revisions.</summary>
/// <param name="Resource">The resource it belongs to.</param>
/// <param name="KeyValue">The store's key-value (value = stored form, without resourceVersion).</param>
internal sealed record StoredObject(ResourceDefinition Resource, StoreKeyValue KeyValue)
{
    /// <summary>The resourceVersion: the key's mod revision.</summary>
    public long ResourceVersion => KeyValue.ModRevision;

    /// <summary>The object as a GET answers it (with kind, apiVersion and resourceVersion).</summary>
    public byte[] ToJson() => ObjectCodec.Stamped(KeyValue.Value, KeyValue.ModRevision, Resource);

    /// <summary>The object as a GET answers it, stamped with another revision (DELETED events carry the delete revision).</summary>
    public byte[] ToJson(long resourceVersion) => ObjectCodec.Stamped(KeyValue.Value, resourceVersion, Resource);

    /// <summary>A mutable copy with resourceVersion stamped in.</summary>
    public System.Text.Json.Nodes.JsonObject ToNode() => ObjectCodec.Parse(ToJson());
}
