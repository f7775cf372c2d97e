using System.IO.Pipelines;
using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace ApiCache.DevServer.Embedding;

/// <summary>
/// One request served in-process, seen from both ends: to the handler, the response and lifetime
/// features of its <see cref="HttpContext"/>; to the caller, an <see cref="HttpResponseMessage"/>
/// that appears when the response starts (first flush, <c>StartAsync</c>, or the handler's end) and
/// whose body is a pipe the handler's flushes reach at once, so a watch arrives event by event.
/// Aborting (the request's cancellation, or the caller disposing the body) fires
/// <see cref="RequestAborted"/>.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage(
    "Design", "CA1001:Types that own disposable fields should be disposable",
    Justification = "The abort source has no timer or wait handle to release, and both ends may still use its token after the handler returns.")]
internal sealed class InProcessExchange : IHttpResponseFeature, IHttpResponseBodyFeature, IHttpRequestLifetimeFeature
{
    /// <summary>Room for a large list page before the handler waits for the caller to read.</summary>
    private static readonly PipeOptions BodyPipeOptions = new(pauseWriterThreshold: 1024 * 1024, resumeWriterThreshold: 512 * 1024, useSynchronizationContext: false);

    private readonly HttpRequestMessage _request;
    private readonly Pipe _pipe = new(BodyPipeOptions);
    private readonly InProcessResponseWriter _writer;
    private readonly CancellationTokenSource _aborted = new();
    private readonly TaskCompletionSource<HttpResponseMessage> _response = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private List<(Func<object, Task> Callback, object State)>? _onStarting;
    private List<(Func<object, Task> Callback, object State)>? _onCompleted;
    private Stream? _stream;
    private bool _hasStarted;
    private bool _bodyCompleted;
    private IOException? _failure;

    /// <summary>Creates the exchange for <paramref name="request"/>.</summary>
    public InProcessExchange(HttpRequestMessage request)
    {
        _request = request;
        _writer = new InProcessResponseWriter(_pipe.Writer, this);
    }

    /// <summary>Completes with the response once it starts; cancelled or failed when the request ends before.</summary>
    public Task<HttpResponseMessage> Response => _response.Task;

    /// <summary>Why the handler failed after the response started; set before the body ends.</summary>
    public IOException? Failure => Volatile.Read(ref _failure);

    /// <inheritdoc/>
    public int StatusCode { get; set; } = StatusCodes.Status200OK;

    /// <inheritdoc/>
    public string? ReasonPhrase { get; set; }

    /// <inheritdoc/>
    public IHeaderDictionary Headers { get; set; } = new HeaderDictionary();

    /// <inheritdoc/>
    public bool HasStarted => Volatile.Read(ref _hasStarted);

    /// <inheritdoc/>
    public Stream Stream => _stream ??= _writer.AsStream(leaveOpen: true);

    /// <inheritdoc/>
    public PipeWriter Writer => _writer;

    /// <summary>Fires when the caller cancels the request or disposes the response body.</summary>
    public CancellationToken RequestAborted
    {
        get => _aborted.Token;
        set => throw new NotSupportedException("The in-process exchange owns its abort token.");
    }

    /// <inheritdoc/>
    Stream IHttpResponseFeature.Body
    {
        get => Stream;
        set => throw new NotSupportedException("Replace IHttpResponseBodyFeature to change the response body.");
    }

    /// <summary>
    /// Runs <paramref name="application"/> on <paramref name="context"/> to the end: completes the
    /// body (or fails it, or the response when nothing was sent yet), runs the completion callbacks,
    /// then releases <paramref name="cancellation"/> (the request's cancellation no longer applies).
    /// Never throws.
    /// </summary>
    public async Task RunAsync(RequestDelegate application, HttpContext context, CancellationTokenRegistration cancellation, IAsyncDisposable? requestServices)
    {
        try
        {
            await application(context);
            await CompleteAsync();
        }
        catch (Exception e)
        {
            if (!HasStarted)
            {
                _response.TrySetException(_aborted.IsCancellationRequested
                    ? new OperationCanceledException("The in-process request was cancelled.", e, _aborted.Token)
                    : new HttpRequestException($"The in-process API failed: {e.Message}", e));
            }

            if (!_bodyCompleted)
            {
                // The caller reads what was sent, then the failure (a pipe completed with an error would drop the rest).
                _bodyCompleted = true;
                Volatile.Write(ref _failure, new IOException($"The in-process response ended with an error: {e.Message}", e));
                await _pipe.Writer.CompleteAsync();
            }
        }
        finally
        {
            cancellation.Unregister();
            await RunCompletedCallbacksAsync();
            if (requestServices is not null)
            {
                await requestServices.DisposeAsync();
            }

            // Only reached without a response when the handler failed before sending one (set above).
            _response.TrySetCanceled();
        }
    }

    /// <summary>Aborts the request: <see cref="RequestAborted"/> fires, and a caller still waiting for the response gets a cancellation.</summary>
    public void Abort()
    {
        _response.TrySetCanceled(_aborted.Token);
        if (!_aborted.IsCancellationRequested)
        {
            _aborted.Cancel();
        }
    }

    /// <inheritdoc/>
    public void OnStarting(Func<object, Task> callback, object state)
    {
        if (HasStarted)
        {
            throw new InvalidOperationException("The response has already started.");
        }

        (_onStarting ??= []).Add((callback, state));
    }

    /// <inheritdoc/>
    public void OnCompleted(Func<object, Task> callback, object state) => (_onCompleted ??= []).Add((callback, state));

    /// <summary>Nothing is buffered: every flush reaches the caller.</summary>
    public void DisableBuffering()
    {
    }

    /// <summary>
    /// Starts the response: runs the OnStarting callbacks (last registered first), then hands the
    /// status and headers, with the body still being written, to the caller.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (HasStarted)
        {
            return;
        }

        if (_onStarting is { } callbacks)
        {
            for (var i = callbacks.Count - 1; i >= 0; i--)
            {
                await callbacks[i].Callback(callbacks[i].State);
            }
        }

        Volatile.Write(ref _hasStarted, true);
        var message = CreateResponseMessage();
        if (!_response.TrySetResult(message))
        {
            // Aborted before it started: nobody reads it.
            message.Dispose();
        }
    }

    /// <inheritdoc/>
    public Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default) =>
        SendFileFallback.SendFileAsync(Stream, path, offset, count, cancellationToken);

    /// <summary>Starts the response if it has not, delivers what was written and ends the body.</summary>
    public async Task CompleteAsync()
    {
        if (_bodyCompleted)
        {
            return;
        }

        await StartAsync();
        await _pipe.Writer.FlushAsync(_aborted.Token);
        _bodyCompleted = true;
        await _pipe.Writer.CompleteAsync();
    }

    private HttpResponseMessage CreateResponseMessage()
    {
        var content = new StreamContent(new InProcessResponseStream(_pipe.Reader, this));
        var message = new HttpResponseMessage((HttpStatusCode)StatusCode)
        {
            RequestMessage = _request,
            Version = _request.Version,
            Content = content,
        };
        if (!string.IsNullOrEmpty(ReasonPhrase))
        {
            message.ReasonPhrase = ReasonPhrase;
        }

        foreach (var (name, values) in Headers)
        {
            // Content-Type, Content-Length and the like belong to the content's headers.
            if (!message.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values))
            {
                content.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
            }
        }

        return message;
    }

    private async Task RunCompletedCallbacksAsync()
    {
        if (_onCompleted is not { } callbacks)
        {
            return;
        }

        for (var i = callbacks.Count - 1; i >= 0; i--)
        {
            try
            {
                await callbacks[i].Callback(callbacks[i].State);
            }
            catch (Exception) when (i > 0)
            {
                // As the server does: one failing callback does not keep the others from running.
            }
        }
    }
}
