using System.Net;
using System.Net.Sockets;

namespace ApiCache.Tests.Infrastructure;

/// <summary>
/// A TCP relay on 127.0.0.1 in front of a server the test can swap or cut off: every accepted
/// connection is piped to the current backend, <see cref="DropConnections"/> resets them all (the
/// client sees a real connection reset mid-stream), and <see cref="Backend"/> can point at a restarted
/// server on another port while clients keep the relay's address.
/// </summary>
internal sealed class TcpRelay : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _gate = new();
    private readonly List<(Socket Client, Socket Server)> _open = [];
    private readonly Task _accepting;
    private int _accepted;
    private bool _refuse;

    private TcpRelay(Uri backend)
    {
        Backend = backend;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Address = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}");
        _accepting = AcceptLoopAsync();
    }

    /// <summary>The relay's own address; clients connect here.</summary>
    public Uri Address { get; }

    /// <summary>Where new connections are piped to (http://127.0.0.1:port).</summary>
    public Uri Backend { get; set; }

    /// <summary>
    /// While true the relay behaves like a dead server: every new connection is reset as soon as it
    /// is accepted (together with <see cref="DropConnections"/>, a "killed" endpoint on a stable address).
    /// </summary>
    public bool Refuse
    {
        get => Volatile.Read(ref _refuse);
        set => Volatile.Write(ref _refuse, value);
    }

    /// <summary>Connections accepted so far.</summary>
    public int Accepted => Volatile.Read(ref _accepted);

    /// <summary>Starts a relay to <paramref name="backend"/>.</summary>
    public static TcpRelay Start(Uri backend) => new(backend);

    /// <summary>Resets every open connection (RST both ways); returns how many there were.</summary>
    public int DropConnections()
    {
        List<(Socket Client, Socket Server)> open;
        lock (_gate)
        {
            open = [.. _open];
            _open.Clear();
        }

        foreach (var (client, server) in open)
        {
            Reset(client);
            Reset(server);
        }

        return open.Count;
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Stop();
        DropConnections();
        try
        {
            await _accepting;
        }
        catch (OperationCanceledException)
        {
        }
        catch (SocketException)
        {
        }
        catch (ObjectDisposedException)
        {
        }

        _stopping.Dispose();
    }

    private static void Reset(Socket socket)
    {
        try
        {
            socket.LingerState = new LingerOption(true, 0);
            socket.Close();
        }
        catch (ObjectDisposedException)
        {
        }
        catch (SocketException)
        {
        }
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            var client = await _listener.AcceptSocketAsync(_stopping.Token);
            Interlocked.Increment(ref _accepted);
            _ = RelayAsync(client);
        }
    }

    private async Task RelayAsync(Socket client)
    {
        if (Refuse)
        {
            Reset(client);
            return;
        }

        var backend = Backend;
        var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        client.NoDelay = true;
        try
        {
            await server.ConnectAsync(IPAddress.Loopback, backend.Port, _stopping.Token);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            // Backend down: the client sees its connection reset, as with a dead server.
            Reset(client);
            server.Dispose();
            return;
        }

        var pair = (client, server);
        lock (_gate)
        {
            _open.Add(pair);
        }

        await Task.WhenAny(PumpAsync(client, server), PumpAsync(server, client));
        lock (_gate)
        {
            _open.Remove(pair);
        }

        Reset(client);
        Reset(server);
    }

    private async Task PumpAsync(Socket from, Socket to)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer, SocketFlags.None, _stopping.Token);
                if (read == 0)
                {
                    to.Shutdown(SocketShutdown.Send);
                    return;
                }

                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, _stopping.Token);
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
        {
        }
    }
}
