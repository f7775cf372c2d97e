using System.Buffers;
using System.IO.Pipelines;
using ApiCache.Consistency;
using ApiCache.Selectors;
using ApiCache.Serving;
using ApiCache.Storage;
using Microsoft.AspNetCore.Http;

namespace ApiCache.Watch;

/// <summary>
/// WATCH from the cache with the apiserver's rules (DESIGN.md, fixtures 05-*/06-*): resourceVersion
/// unset is a consistent start (wait for the current revision) with the current state as synthetic
/// ADDED events; "0" sends the cache's state as it is; "N" replays the history after N, and an N the
/// history no longer covers is answered 200 with one ERROR event (410 Expired) as the apiserver does;
/// WatchList (<c>sendInitialEvents=true</c>) ends its initial events with the
/// <c>k8s.io/initial-events-end</c> bookmark. The request writes the initial state and catches up
/// with the history itself, then joins its resource's <see cref="WatchDispatcher"/>, and from there
/// drains the frames the dispatcher queues for it until the timeout (timeoutSeconds, else a random
/// time between MinRequestTimeout and twice it), the client leaves, or the server stops.
/// </summary>
internal sealed class WatchResponder(WatchHub hub, CacheReadMetrics readMetrics, WatchMetrics metrics, ReadFallback fallback, TimeProvider time)
{
    private const int FlushAt = 64 * 1024;

    /// <summary>Serves the WATCH.</summary>
    public async Task ServeAsync(CachedRead read)
    {
        ArgumentNullException.ThrowIfNull(read);
        var context = read.Context;
        if (await CollectionRequest.ParseAsync(read) is not (var options, var selectors))
        {
            return;
        }

        var definition = read.Resource.Definition;
        if (read.Info.Name.Length > 0)
        {
            // A watch of one object by path (/watch/namespaces/x/pods/y, or .../pods/y?watch=1) is a metadata.name selector.
            selectors = selectors with
            {
                Fields = FieldSelector.FromRequirements([.. selectors.Fields.Requirements, new FieldRequirement("metadata.name", FieldSelectorOperator.Equals, read.Info.Name)]),
            };
        }

        if (hub.IsStopping)
        {
            await CacheAnswer.WriteErrorAsync(context, StatusError.TooManyRequests("The apiserver is shutting down, please try again later.", 1));
            return;
        }

        // Where the watch starts: the current state (sent as ADDED), or the history after a version.
        var rv = options.ResourceVersionNumber;
        var sendsState = options.SendInitialEvents ?? rv is null or 0;
        var path = ReadPath.CacheFresh;
        if (rv is null || (rv > 0 && options.SendInitialEvents == true))
        {
            var reached = rv is ulong atLeast ? await fallback.WaitForOrForwardAsync(read, (long)atLeast) : await fallback.WaitForCurrentAsync(read);
            if (reached is not ReadPath waited)
            {
                return; // forwarded or refused
            }

            path = waited;
        }

        readMetrics.Read(read.DisplayName, "watch", path);
        var cache = read.Resource.Cache;
        var dispatcher = hub.For(read.Resource);
        var encoder = dispatcher.Encoder;
        if (encoder is null)
        {
            await fallback.ForwardAsync(read, ReadPath.Forwarded); // not listed yet (cannot happen once ready)
            return;
        }

        var filter = new WatchFilter(read.Namespace, selectors, definition.Schema);
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json";
        response.Headers.CacheControl = "no-cache, private";
        CacheAnswer.SetAuditId(response);
        var output = response.BodyWriter;

        using var deadline = new CancellationTokenSource(Timeout(options.TimeoutSeconds), time);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, context.RequestAborted);
        var token = stop.Token;
        try
        {
            await response.StartAsync(token); // the apiserver sends 200 and the headers at once
            HistoryPosition position;
            if (sendsState || rv is null or 0)
            {
                var objects = new List<CachedObject>();
                cache.QueryWithPosition(new StoreQuery { Namespace = read.Namespace, LabelSelector = selectors.Labels, FieldSelector = selectors.Fields }, objects, out position);
                if (sendsState)
                {
                    foreach (var item in objects)
                    {
                        encoder.WriteEvent(output, WatchEventType.Added, item);
                        await FlushIfFullAsync(output, token);
                    }

                    metrics.Sent(read.DisplayName, (int)WatchEventType.Added, objects.Count);
                    if (options.AllowWatchBookmarks)
                    {
                        // Fixture 05-watch-rv-unset-bookmarks-initial-events-end-without-sendInitialEvents: also without sendInitialEvents.
                        output.Write(encoder.EncodeBookmark(position.ResourceVersion, initialEventsEnd: true));
                        metrics.Sent(read.DisplayName, WatchMetrics.Bookmark, 1);
                    }
                }
            }
            else if (!cache.TryGetWatchStart((long)rv, out position, out var oldest))
            {
                var expired = new StatusError(StatusCodes.Status410Gone, "Expired", $"too old resource version: {rv} ({oldest})");
                output.Write(WatchEncoder.EncodeError(expired));
                await output.FlushAsync(token);
                metrics.Sent(read.DisplayName, WatchMetrics.Error, 1);
                metrics.Closed(read.DisplayName, WatchCloseReason.Expired);
                return;
            }

            using var watcher = new Watcher(filter, options.AllowWatchBookmarks, position.ResourceVersion, hub.Options.BufferEvents);
            var joinAt = await CatchUpAsync(read, encoder, watcher, position, output, token);
            await output.FlushAsync(token);
            if (joinAt is not HistoryPosition caughtUp || !await dispatcher.JoinAsync(watcher, caughtUp))
            {
                metrics.Closed(read.DisplayName, hub.IsStopping ? WatchCloseReason.Shutdown : WatchCloseReason.Overtaken);
                return; // the history moved on under it (or the server stops): the client resumes from its last version
            }

            await DrainAsync(context, dispatcher, watcher, deadline.Token);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // the client went away during the initial events
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            metrics.Closed(read.DisplayName, WatchCloseReason.Timeout); // timed out before joining: end the stream cleanly
        }
    }

    /// <summary>
    /// Writes the history's events after <paramref name="start"/> that the watcher sees, until the
    /// history's end; the position reached (what it joins the dispatcher with), or null when the
    /// history was reset or evicted under it.
    /// </summary>
    private async Task<HistoryPosition?> CatchUpAsync(CachedRead read, WatchEncoder encoder, Watcher watcher, HistoryPosition start, PipeWriter output, CancellationToken token)
    {
        var cache = read.Resource.Cache;
        var sequence = start.Sequence;
        var lastSent = start.ResourceVersion;
        var sent = new long[3];
        while (cache.TryReadEvent(sequence, out var e))
        {
            if (cache.HistoryEpoch != start.Epoch)
            {
                return null;
            }

            var delivery = e.ResourceVersion <= watcher.StartResourceVersion ? EventDelivery.None : watcher.Filter.Classify(e);
            if (delivery != EventDelivery.None)
            {
                var (type, cachedObject) = WatchEncoder.Resolve(delivery, e);
                encoder.WriteEvent(output, type, cachedObject);
                sent[(int)type]++;
                lastSent = e.ResourceVersion;
                await FlushIfFullAsync(output, token);
            }

            sequence++;
        }

        for (var type = 0; type < sent.Length; type++)
        {
            metrics.Sent(read.DisplayName, type, sent[type]);
        }

        return sequence < cache.OldestSequence || cache.HistoryEpoch != start.Epoch
            ? null
            : new HistoryPosition(sequence, lastSent, start.Epoch);
    }

    /// <summary>Writes what the dispatcher queues until the watch ends; at the deadline, asks for a last bookmark and ends cleanly.</summary>
    private static async Task DrainAsync(HttpContext context, WatchDispatcher dispatcher, Watcher watcher, CancellationToken deadline)
    {
        var reader = watcher.Queue.Reader;
        var output = context.Response.BodyWriter;
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(deadline, context.RequestAborted);
        try
        {
            try
            {
                await WriteQueuedAsync(reader, output, watcher, ended.Token);
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested && !context.RequestAborted.IsCancellationRequested && !watcher.Abandoned.IsCancellationRequested)
            {
                // Timeout: the dispatcher queues a last bookmark and completes the queue; send what is left.
                dispatcher.Close(watcher, WatchCloseReason.Timeout, finalBookmark: true);
                await WriteQueuedAsync(reader, output, watcher, context.RequestAborted);
            }
        }
        catch (OperationCanceledException) when (watcher.Abandoned.IsCancellationRequested)
        {
            context.Abort(); // closed for not keeping up: drop the connection rather than wait on a stalled client
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
        }
        finally
        {
            dispatcher.Close(watcher, WatchCloseReason.Client, finalBookmark: false); // a no-op when it already ended
        }
    }

    private static async Task WriteQueuedAsync(System.Threading.Channels.ChannelReader<byte[]> reader, PipeWriter output, Watcher watcher, CancellationToken token)
    {
        while (await reader.WaitToReadAsync(token))
        {
            while (reader.TryRead(out var frame))
            {
                output.Write(frame);
                if (output.UnflushedBytes >= FlushAt)
                {
                    await FlushAsync(output, watcher.Abandoned);
                }
            }

            await FlushAsync(output, watcher.Abandoned);
        }

        watcher.Abandoned.ThrowIfCancellationRequested();
    }

    private static async ValueTask FlushAsync(PipeWriter output, CancellationToken token)
    {
        var result = await output.FlushAsync(token);
        if (result.IsCanceled)
        {
            throw new OperationCanceledException(token);
        }
    }

    private static ValueTask<FlushResult> FlushIfFullAsync(PipeWriter output, CancellationToken token) =>
        output.UnflushedBytes >= FlushAt ? output.FlushAsync(token) : default;

    /// <summary>How long the watch lasts: timeoutSeconds when given (above 0), else random in [MinRequestTimeout, 2x) as the apiserver does.</summary>
    private TimeSpan Timeout(long? timeoutSeconds)
    {
        if (timeoutSeconds is > 0 and var seconds)
        {
            return TimeSpan.FromSeconds(Math.Min(seconds, (long)TimeSpan.MaxValue.TotalSeconds / 2));
        }

        var minimum = hub.Options.MinRequestTimeout;
        return minimum + TimeSpan.FromTicks((long)(minimum.Ticks * Random.Shared.NextDouble()));
    }
}
