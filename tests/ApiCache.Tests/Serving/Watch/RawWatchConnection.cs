using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace ApiCache.Tests.Serving.Watch;

/// <summary>
/// A watch request over a bare loopback socket speaking HTTP/1.1 by hand, so a test sees what an
/// HttpClient hides: when the status line and headers arrive, every event line byte for byte, whether
/// the chunked body ended with its terminator or the connection was reset, and, by never reading
/// (<see cref="SendOnlyAsync"/>), a client whose kernel buffers fill up.
/// </summary>
internal sealed class RawWatchConnection : IAsyncDisposable
{
    private const string UserAgent = "apicache-watch-tests/v1.0.0 (linux/amd64) kubernetes/test";

    private readonly Socket _socket;
    private NetworkStream? _stream;
    private readonly byte[] _buffer = new byte[64 * 1024];
    private readonly MemoryStream _partialLine = new();
    private readonly Queue<string> _lines = new();
    private int _start;
    private int _end;
    private long _chunkRemaining;
    private bool _chunkCrlfPending;

    private RawWatchConnection(Socket socket)
    {
        _socket = socket;
    }

    private NetworkStream Stream => _stream ?? throw new InvalidOperationException("not connected");

    /// <summary>The HTTP status code of the response (0 until the headers were read).</summary>
    public int StatusCode { get; private set; }

    /// <summary>The response headers (names case-insensitive; a repeated header keeps its last value).</summary>
    public Dictionary<string, string> Headers { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>True once the chunked body's last (zero-length) chunk arrived: the server ended the stream cleanly.</summary>
    public bool Terminated { get; private set; }

    /// <summary>Connects to <paramref name="server"/>, sends <c>GET <paramref name="pathAndQuery"/></c> and reads the status line and headers.</summary>
    public static async Task<RawWatchConnection> OpenAsync(Uri server, string pathAndQuery, TimeSpan timeout)
    {
        var connection = await SendOnlyAsync(server, pathAndQuery, receiveBufferSize: null);
        try
        {
            using var cancel = new CancellationTokenSource(timeout);
            await connection.ReadHeadersAsync(cancel.Token);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Connects and sends the request but reads nothing: a client that stopped reading. A small
    /// <paramref name="receiveBufferSize"/> (set before connecting, so the TCP window stays small) makes
    /// the kernel's buffers fill sooner.
    /// </summary>
    public static async Task<RawWatchConnection> SendOnlyAsync(Uri server, string pathAndQuery, int? receiveBufferSize)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        if (receiveBufferSize is int size)
        {
            socket.ReceiveBufferSize = size;
        }

        var connection = new RawWatchConnection(socket);
        try
        {
            await socket.ConnectAsync("127.0.0.1", server.Port);
            connection._stream = new NetworkStream(socket, ownsSocket: false);
            var request = $"GET {pathAndQuery} HTTP/1.1\r\nHost: 127.0.0.1:{server.Port.ToString(CultureInfo.InvariantCulture)}\r\n"
                + $"User-Agent: {UserAgent}\r\nAccept: application/json\r\n\r\n";
            await connection.Stream.WriteAsync(Encoding.ASCII.GetBytes(request));
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// The next event line (without its newline), exactly as sent; throws <see cref="TimeoutException"/>
    /// after <paramref name="timeout"/> and <see cref="EndOfStreamException"/> when the stream ended first.
    /// </summary>
    public async Task<string> NextLineAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            var line = await ReadLineOrEndAsync(cancel.Token);
            return line ?? throw new EndOfStreamException($"the watch stream ended (terminator seen: {Terminated}) before another event");
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            throw new TimeoutException($"no watch event within {timeout}");
        }
    }

    /// <summary>
    /// Reads every remaining event line until the stream ends, at most <paramref name="timeout"/>
    /// (a hang guard). The end is clean when <see cref="Terminated"/> is set; a reset or an
    /// end without the terminator is returned as <c>Error</c>.
    /// </summary>
    public async Task<(List<string> Lines, Exception? Error)> ReadToEndAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        var lines = new List<string>();
        try
        {
            while (await ReadLineOrEndAsync(cancel.Token) is { } line)
            {
                lines.Add(line);
            }

            return (lines, Terminated ? null : new EndOfStreamException("the connection ended without the chunked terminator"));
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            throw new TimeoutException($"the watch stream did not end within {timeout}; {lines.Count} events so far");
        }
        catch (IOException e)
        {
            return (lines, e);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_stream is not null)
        {
            await _stream.DisposeAsync();
        }

        _socket.Dispose();
        await _partialLine.DisposeAsync();
    }

    private async Task ReadHeadersAsync(CancellationToken cancellationToken)
    {
        var statusLine = await ReadCrlfLineAsync(cancellationToken) ?? throw new EndOfStreamException("the connection closed before the status line");
        var parts = statusLine.Split(' ', 3);
        StatusCode = int.Parse(parts[1], CultureInfo.InvariantCulture);
        while (await ReadCrlfLineAsync(cancellationToken) is { Length: > 0 } header)
        {
            var colon = header.IndexOf(':', StringComparison.Ordinal);
            Headers[header[..colon]] = header[(colon + 1)..].Trim();
        }

        if (!string.Equals(Headers.GetValueOrDefault("Transfer-Encoding"), "chunked", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"expected a chunked watch response, got {statusLine} with headers {string.Join("; ", Headers.Select(h => h.Key + ": " + h.Value))}");
        }
    }

    /// <summary>The next complete event line of the body, or null once the body ended (terminator or closed connection).</summary>
    private async Task<string?> ReadLineOrEndAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (_lines.TryDequeue(out var queued))
            {
                return queued;
            }

            if (Terminated)
            {
                return null;
            }

            if (_chunkRemaining == 0)
            {
                if (_chunkCrlfPending)
                {
                    if (await ReadCrlfLineAsync(cancellationToken) is null)
                    {
                        return null;
                    }

                    _chunkCrlfPending = false;
                }

                var sizeLine = await ReadCrlfLineAsync(cancellationToken);
                if (sizeLine is null)
                {
                    return null;
                }

                var size = long.Parse(sizeLine.Split(';')[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                if (size == 0)
                {
                    // Trailers (none expected) end with an empty line.
                    while (await ReadCrlfLineAsync(cancellationToken) is { Length: > 0 })
                    {
                    }

                    Terminated = true;
                    continue;
                }

                _chunkRemaining = size;
                _chunkCrlfPending = true;
            }

            if (_start == _end && !await FillAsync(cancellationToken))
            {
                return null;
            }

            var take = (int)Math.Min(_chunkRemaining, _end - _start);
            ConsumeBodyBytes(_buffer.AsSpan(_start, take));
            _start += take;
            _chunkRemaining -= take;
        }
    }

    private void ConsumeBodyBytes(ReadOnlySpan<byte> data)
    {
        while (data.Length > 0)
        {
            var newline = data.IndexOf((byte)'\n');
            if (newline < 0)
            {
                _partialLine.Write(data);
                return;
            }

            _partialLine.Write(data[..newline]);
            _lines.Enqueue(Encoding.UTF8.GetString(_partialLine.GetBuffer(), 0, (int)_partialLine.Length));
            _partialLine.SetLength(0);
            data = data[(newline + 1)..];
        }
    }

    private async Task<string?> ReadCrlfLineAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var available = _buffer.AsSpan(_start, _end - _start);
            var newline = available.IndexOf((byte)'\n');
            if (newline >= 0)
            {
                var line = Encoding.ASCII.GetString(available[..newline]).TrimEnd('\r');
                _start += newline + 1;
                return line;
            }

            if (!await FillAsync(cancellationToken))
            {
                return null;
            }
        }
    }

    private async Task<bool> FillAsync(CancellationToken cancellationToken)
    {
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }

        if (_end == _buffer.Length)
        {
            throw new InvalidOperationException("a header or chunk-size line longer than the read buffer");
        }

        var read = await Stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken);
        _end += read;
        return read > 0;
    }
}
