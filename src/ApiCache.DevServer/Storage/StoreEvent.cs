namespace ApiCache.DevServer.Storage;

/// <summary>What a watch event reports.</summary>
internal enum StoreEventType
{
    /// <summary>A key was created or changed.</summary>
    Put,

    /// <summary>A key was deleted.</summary>
    Delete,

    /// <summary>No key changed; every change up to <see cref="StoreEvent.Revision"/> has been delivered.</summary>
    Progress,
}

/// <summary>One event of a store watch.</summary>
/// <param name="Type">Put, Delete or Progress.</param>
/// <param name="Revision">The revision of the change (or of the progress mark).</param>
/// <param name="KeyValue">The new key-value (Put), or the key with empty value and ModRevision = the delete revision (Delete); null for Progress.</param>
/// <param name="PreviousKeyValue">The key-value before the change; null for a creation and for Progress.</param>
internal sealed record StoreEvent(StoreEventType Type, long Revision, StoreKeyValue? KeyValue, StoreKeyValue? PreviousKeyValue);
