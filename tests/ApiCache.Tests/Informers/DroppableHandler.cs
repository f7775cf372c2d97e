using System.Collections.Concurrent;

namespace ApiCache.Tests.Informers;

/// <summary>
/// Sits between the reflector and a real upstream: records every request target, can cut the
/// watch streams in flight (<see cref="DropWatches"/>) and can refuse new connections while
/// <see cref="Offline"/>, as a network partition would.
/// </summary>
internal sealed class DroppableHandler : DelegatingHandler
{
    private readonly ConcurrentQueue<string> _requests = new();
    private readonly ConcurrentQueue<DroppableStream> _watches = new();
    private volatile bool _offline;

    public DroppableHandler()
        : base(new SocketsHttpHandler())
    {
    }

    /// <summary>New requests fail with <see cref="HttpRequestException"/> (they are still recorded).</summary>
    public bool Offline
    {
        get => _offline;
        set => _offline = value;
    }

    /// <summary>Path and query of every request, in order.</summary>
    public IReadOnlyList<string> Requests => [.. _requests];

    /// <summary>The requests that reached the upstream (not refused while offline).</summary>
    public IReadOnlyList<string> Sent => [.. _requests.Where(r => !r.StartsWith("refused:", StringComparison.Ordinal))];

    /// <summary>Cuts every watch stream opened so far.</summary>
    public void DropWatches()
    {
        foreach (var stream in _watches)
        {
            stream.Drop();
        }
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var target = request.RequestUri!.PathAndQuery;
        if (_offline)
        {
            _requests.Enqueue("refused:" + target);
            throw new HttpRequestException("test: the upstream is unreachable");
        }

        _requests.Enqueue(target);
        var response = await base.SendAsync(request, cancellationToken);
        if (!target.Contains("watch=true", StringComparison.Ordinal) || !response.IsSuccessStatusCode)
        {
            return response;
        }

        var stream = new DroppableStream(await response.Content.ReadAsStreamAsync(cancellationToken));
        _watches.Enqueue(stream);
        var content = new StreamContent(stream);
        foreach (var header in response.Content.Headers)
        {
            content.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        response.Content = content;
        return response;
    }
}
