using System.Text.Json.Nodes;

namespace ApiCache.Tests.Serving.Watch;

/// <summary>
/// One change the upstream produced, as its unfiltered watch reported it: the revision, the event
/// type (ADDED, MODIFIED or DELETED), the object's key (namespace/name) and the object as sent
/// (for DELETED: its last state, carrying the deletion's revision).
/// </summary>
internal sealed record RecordedChange(long Revision, string Type, string Key, JsonObject Object);
