using System.Diagnostics;
using System.Text;
using System.Threading.Channels;

namespace ApiCache.Tests.Infrastructure;

/// <summary>A running child process whose stdout lines the test awaits one by one; disposing kills it.</summary>
internal sealed class StreamingProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    private readonly StringBuilder _stderr = new();
    private readonly Task _readers;

    public StreamingProcess(Process process)
    {
        _process = process;
        _readers = Task.WhenAll(
            Task.Run(async () =>
            {
                while (await process.StandardOutput.ReadLineAsync() is string line)
                {
                    _lines.Writer.TryWrite(line);
                }

                _lines.Writer.TryComplete();
            }),
            Task.Run(async () =>
            {
                var text = await process.StandardError.ReadToEndAsync();
                lock (_stderr)
                {
                    _stderr.Append(text);
                }
            }));
    }

    public string Stderr
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <summary>Waits for a stdout line matching <paramref name="predicate"/>; fails after <paramref name="timeoutSeconds"/> or when the process ends.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> predicate, int timeoutSeconds = 30)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(timeoutSeconds));
        try
        {
            while (true)
            {
                var line = await _lines.Reader.ReadAsync(timeout.Token);
                if (predicate(line))
                {
                    return line;
                }
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"no matching line within {timeoutSeconds} s; stderr: {Stderr}");
        }
        catch (ChannelClosedException)
        {
            throw new InvalidOperationException($"the process ended before a matching line; stderr: {Stderr}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await ChildProcess.KillAndWaitAsync(_process, _process.WaitForExitAsync());
        await _readers;
        _process.Dispose();
    }
}
