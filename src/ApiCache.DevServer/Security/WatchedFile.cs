using System.Security.Cryptography;
using Microsoft.Extensions.Logging;

namespace ApiCache.DevServer.Security;

/// <summary>
/// A file parsed into <typeparamref name="T"/> and parsed again when its modification time or
/// size changes (checked on each <see cref="Current"/>). A change that does not parse keeps the
/// previous value and logs an error once; a file that does not parse at start throws, so start-up
/// fails with a message that names the setting and the file.
/// </summary>
internal sealed partial class WatchedFile<T>
    where T : class
{
    private readonly string _path;
    private readonly string _setting;
    private readonly Func<string, T> _parse;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private volatile T _value;
    private (DateTime Modified, long Length) _version;

    /// <summary>Reads and parses <paramref name="path"/> (named <paramref name="setting"/> in messages) now.</summary>
    public WatchedFile(string path, string setting, Func<string, T> parse, ILogger logger)
    {
        _path = Path.GetFullPath(path);
        _setting = setting;
        _parse = parse;
        _logger = logger;
        _version = Version();
        try
        {
            _value = _parse(File.ReadAllText(_path));
        }
        catch (Exception e) when (IsContentError(e))
        {
            throw new InvalidOperationException($"{_setting} '{_path}': {e.Message}", e);
        }
    }

    /// <summary>The value of the latest good version of the file.</summary>
    public T Current
    {
        get
        {
            var version = Version();
            if (version != _version)
            {
                Reload(version);
            }

            return _value;
        }
    }

    private void Reload((DateTime Modified, long Length) version)
    {
        lock (_gate)
        {
            if (version == _version)
            {
                return;
            }

            _version = version;
            try
            {
                _value = _parse(File.ReadAllText(_path));
                LogReloaded(_logger, _setting, _path);
            }
            catch (Exception e) when (IsContentError(e))
            {
                LogBroken(_logger, e, _setting, _path, e.Message);
            }
        }
    }

    private (DateTime, long) Version()
    {
        var file = new FileInfo(_path);
        return file.Exists ? (file.LastWriteTimeUtc, file.Length) : (DateTime.MinValue, -1);
    }

    private static bool IsContentError(Exception e) =>
        e is IOException or UnauthorizedAccessException or FormatException or CryptographicException or ArgumentException;

    [LoggerMessage(Level = LogLevel.Information, Message = "{Setting} '{Path}' changed: reloaded")]
    private static partial void LogReloaded(ILogger logger, string setting, string path);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Setting} '{Path}' changed but cannot be used, keeping the previous version: {Problem}")]
    private static partial void LogBroken(ILogger logger, Exception exception, string setting, string path, string problem);
}
