using System.Buffers;
using System.Globalization;
using System.Text;
using ApiCache.DevServer.Configuration;
using ApiCache.DevServer.Objects;
using ApiCache.DevServer.Resources;
using ApiCache.DevServer.Storage;
using ApiCache.Requests;
using ApiCache.Serving;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace ApiCache.DevServer.Api;

/// <summary>
/// WATCH with the apiserver's rules: resourceVersion unset or "0" (or sendInitialEvents=true)
/// replays the current state as ADDED events, followed by an initial-events-end BOOKMARK when
/// bookmarks are allowed; "N" streams the changes after N, or a single ERROR event carrying a
/// 410 Expired Status when N has been compacted. Selectors turn objects that stop or start
/// matching into DELETED (old state, new resourceVersion) or ADDED. Bookmarks come every
/// <see cref="DevServerOptions.BookmarkInterval"/> and two seconds before timeoutSeconds, only
/// once the store has moved past the watch's start; the stream ends at timeoutSeconds (default:
/// random between min-request-timeout and twice it).
/// </summary>
internal sealed class WatchHandler(ResourceStore objects, RevisionGate gate, IOptions<DevServerOptions> options, TimeProvider time, IHostApplicationLifetime lifetime)
{
    /// <summary>The apiserver sends its last bookmark this long before timeoutSeconds.</summary>
    private static readonly TimeSpan FinalBookmarkLead = TimeSpan.FromSeconds(2);

    /// <summary>Serves the request.</summary>
    public async Task HandleAsync(ResourceRequest request)
    {
        var context = request.Context;
        var list = ListOptionsParser.Parse(context.Request.Query, out var invalid);
        var filter = list is null ? null : ObjectFilter.Create(list, request.Resource, out invalid);
        if (list is null || filter is null)
        {
            await ApiResponses.WriteErrorAsync(context, invalid!);
            return;
        }

        var settings = options.Value;
        var timeout = list.TimeoutSeconds is > 0
            ? TimeSpan.FromSeconds(list.TimeoutSeconds.Value)
            : settings.MinRequestTimeout * (1 + Random.Shared.NextDouble());
        // Like the apiserver, a stopping server ends its watches (clients resume elsewhere) instead of waiting for them.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(request.Aborted, lifetime.ApplicationStopping);
        deadline.CancelAfter(timeout);
        var endsAt = time.GetUtcNow() + timeout;

        var requested = list.ResourceVersionNumber;
        var sendInitial = list.SendInitialEvents ?? requested is null or 0;
        if (sendInitial && requested is > 0 && await gate.WaitForAsync((long)requested.Value, request.Aborted) is StatusError tooLarge)
        {
            await ApiResponses.WriteErrorAsync(context, tooLarge);
            return;
        }

        var response = context.Response;
        response.StatusCode = 200;
        response.ContentType = "application/json";
        response.Headers.CacheControl = "no-cache, private";
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        await response.StartAsync(request.Aborted);
        await response.Body.FlushAsync(request.Aborted);

        var writer = new WatchEventWriter(response, request.Resource);
        try
        {
            long start;
            if (sendInitial)
            {
                var page = await objects.ListAsync(request.Resource, request.CollectionPrefix, 0, null, 0, filter.AsPredicate(), deadline.Token);
                start = page.Revision;
                foreach (var item in page.Items)
                {
                    writer.Event("ADDED", item.ToJson());
                }

                if (list.AllowWatchBookmarks)
                {
                    writer.Bookmark(start, initialEventsEnd: true);
                }

                await writer.FlushAsync(deadline.Token);
            }
            else
            {
                start = (long)requested!.Value;
            }

            await StreamChangesAsync(request, filter, list.AllowWatchBookmarks, start, endsAt, writer, deadline.Token);
        }
        catch (OperationCanceledException)
        {
            // timeoutSeconds reached, or the client went away: the stream just ends.
        }
    }

    private async Task StreamChangesAsync(
        ResourceRequest request, ObjectFilter filter, bool bookmarks, long start, DateTimeOffset endsAt, WatchEventWriter writer, CancellationToken cancellationToken)
    {
        var interval = options.Value.BookmarkInterval;
        var known = start;
        var nextBookmark = NextBookmark(time.GetUtcNow(), interval, endsAt, finalSent: false, out var finalSent);
        await using var changes = objects.Store.WatchAsync(request.CollectionPrefix, start, cancellationToken).GetAsyncEnumerator(cancellationToken);
        Task<bool>? pending = null;
        while (true)
        {
            pending ??= MoveNextAsync(changes);
            if (bookmarks)
            {
                var wait = nextBookmark - time.GetUtcNow();
                if (wait > TimeSpan.Zero)
                {
                    using var waitCancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    var delay = Task.Delay(wait, time, waitCancel.Token);
                    var winner = await Task.WhenAny(pending, delay);
                    await waitCancel.CancelAsync();
                    if (winner != pending)
                    {
                        continue;
                    }
                }
                else
                {
                    if (known > start)
                    {
                        writer.Bookmark(known, initialEventsEnd: false);
                        await writer.FlushAsync(cancellationToken);
                    }

                    nextBookmark = NextBookmark(time.GetUtcNow(), interval, endsAt, finalSent, out finalSent);
                    continue;
                }
            }

            bool more;
            try
            {
                more = await pending;
            }
            catch (StoreRevisionCompactedException e)
            {
                writer.Event("ERROR", Expired(start, e.CompactedRevision));
                await writer.FlushAsync(cancellationToken);
                return;
            }

            pending = null;
            if (!more)
            {
                return;
            }

            var change = changes.Current;
            known = Math.Max(known, change.Revision);
            if (Translate(request.Resource, filter, change) is (string type, byte[] json))
            {
                writer.Event(type, json);
                await writer.FlushAsync(cancellationToken);
            }
        }
    }

    private static async Task<bool> MoveNextAsync(IAsyncEnumerator<StoreEvent> changes) => await changes.MoveNextAsync();

    /// <summary>
    /// The next bookmark time: the regular interval, but also one two seconds before the stream
    /// ends (the apiserver's habit, which tells clients how far they got just before reconnecting).
    /// </summary>
    private static DateTimeOffset NextBookmark(DateTimeOffset now, TimeSpan interval, DateTimeOffset endsAt, bool finalSent, out bool finalNowSent)
    {
        var regular = now + interval;
        var final = endsAt - FinalBookmarkLead;
        if (!finalSent && final > now && final < regular)
        {
            finalNowSent = true;
            return final;
        }

        finalNowSent = finalSent;
        return regular;
    }

    /// <summary>The watch event for a store change as this watcher sees it, or null when its filter hides it.</summary>
    private static (string Type, byte[] Json)? Translate(ResourceDefinition resource, ObjectFilter filter, StoreEvent change)
    {
        if (change.Type == StoreEventType.Progress)
        {
            return null;
        }

        var prev = change.PreviousKeyValue;
        var previous = prev is null ? null : new StoredObject(resource, prev);
        var previousMatched = prev is not null && filter.Matches(prev.Value);
        if (change.Type == StoreEventType.Delete)
        {
            return previousMatched ? ("DELETED", previous!.ToJson(change.Revision)) : null;
        }

        var current = new StoredObject(resource, change.KeyValue!);
        var matches = filter.Matches(change.KeyValue!.Value);
        return (matches, previousMatched) switch
        {
            (true, true) => ("MODIFIED", current.ToJson()),
            (true, false) => ("ADDED", current.ToJson()),
            (false, true) => ("DELETED", previous!.ToJson(change.Revision)),
            _ => null,
        };
    }

    /// <summary>The apiserver's 410 for a watch from a revision outside the window.</summary>
    private static byte[] Expired(long requested, long oldest)
    {
        var status = StatusWriter.ToBytes(new StatusError(410, "Expired", string.Create(CultureInfo.InvariantCulture, $"too old resource version: {requested} ({oldest})")));
        return status.AsSpan(0, status.Length - 1).ToArray(); // without the newline
    }

    /// <summary>Frames watch events as the apiserver does: one <c>{"type":..,"object":..}</c> per line.</summary>
    private sealed class WatchEventWriter(HttpResponse response, ResourceDefinition resource)
    {
        private readonly ArrayBufferWriter<byte> _buffer = new(4096);

        public void Event(string type, ReadOnlySpan<byte> objectJson)
        {
            _buffer.Write(Encoding.UTF8.GetBytes($"{{\"type\":\"{type}\",\"object\":"));
            _buffer.Write(objectJson);
            _buffer.Write("}\n"u8);
        }

        public void Bookmark(long revision, bool initialEventsEnd)
        {
            var json = ApiCache.Watch.WatchEncoder.BookmarkObject(resource.Kind, resource.GroupVersion, resource.Unstructured, resource.EmptyObjectTail, revision, initialEventsEnd);
            Event("BOOKMARK", Encoding.UTF8.GetBytes(json));
        }

        public async Task FlushAsync(CancellationToken cancellationToken)
        {
            if (_buffer.WrittenCount > 0)
            {
                await response.Body.WriteAsync(_buffer.WrittenMemory, cancellationToken);
                _buffer.ResetWrittenCount();
            }

            await response.Body.FlushAsync(cancellationToken);
        }
    }
}
