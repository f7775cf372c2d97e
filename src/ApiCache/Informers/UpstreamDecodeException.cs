namespace ApiCache.Informers;

/// <summary>
/// Something the upstream sent could not be understood: a list body or watch line that is not the
/// JSON Kubernetes writes, or an object the <see cref="Storage.IObjectDecoder"/> rejected. The
/// reflector recovers from it with a fresh list (<see cref="RelistReason.DecodeError"/>).
/// </summary>
internal sealed class UpstreamDecodeException : Exception
{
    public UpstreamDecodeException()
        : base("the upstream sent data that could not be decoded")
    {
    }

    public UpstreamDecodeException(string message)
        : base(message)
    {
    }

    public UpstreamDecodeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
