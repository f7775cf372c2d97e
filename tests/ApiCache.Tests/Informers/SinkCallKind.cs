namespace ApiCache.Tests.Informers;

/// <summary>The <see cref="ApiCache.Informers.IReflectorSink"/> methods.</summary>
internal enum SinkCallKind
{
    Replace,
    Apply,
    Progress,
    RelistStarting,
}
