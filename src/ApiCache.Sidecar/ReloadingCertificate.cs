using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ApiCache.Configuration;

namespace ApiCache.Sidecar;

/// <summary>
/// The HTTPS listener's serving certificate, reloaded when its PEM files change so that a rotated
/// certificate is presented to new connections without a restart (cert-manager, kubelet-style
/// rotation). The files' modification times and sizes are checked at most once a second, on the
/// TLS handshake that asks; a new pair that does not load (half written, key not matching) is
/// logged once and the previous certificate stays in use until a later change loads.
/// </summary>
internal sealed partial class ReloadingCertificate
{
    /// <summary>How often the files are looked at, at most.</summary>
    public static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(1);

    private readonly string _certificateFile;
    private readonly string _keyFile;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly long _interval;
    private volatile X509Certificate2 _current;
    private FileStamp _loaded;
    private FileStamp? _failed;
    private bool _unreadable;
    private long _nextCheck;

    private ReloadingCertificate(string certificateFile, string keyFile, TimeProvider time, X509Certificate2 current, FileStamp loaded)
    {
        _certificateFile = certificateFile;
        _keyFile = keyFile;
        _time = time;
        _current = current;
        _loaded = loaded;
        _interval = (long)(CheckInterval.TotalSeconds * time.TimestampFrequency);
        _nextCheck = time.GetTimestamp() + _interval;
    }

    /// <summary>Where reload failures and successes are reported; set once the host's logging exists.</summary>
    public ILogger? Logger { get; set; }

    /// <summary>
    /// Loads the pair for the first time; a pair that does not load is a configuration error
    /// naming <paramref name="section"/>'s keys (the sidecar does not start without a certificate).
    /// </summary>
    public static ReloadingCertificate Load(string certificateFile, string keyFile, string section, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(certificateFile);
        ArgumentNullException.ThrowIfNull(keyFile);
        foreach (var (file, key) in new[] { (certificateFile, section + ":CertificateFile"), (keyFile, section + ":KeyFile") })
        {
            if (!File.Exists(file))
            {
                throw new ApiCacheConfigurationException($"{key}: file '{file}' does not exist.");
            }
        }

        var stamp = FileStamp.Of(certificateFile, keyFile);
        try
        {
            return new ReloadingCertificate(certificateFile, keyFile, time ?? TimeProvider.System, LoadPair(certificateFile, keyFile), stamp);
        }
        catch (CryptographicException e)
        {
            throw new ApiCacheConfigurationException(
                $"{section}: cannot load the certificate '{certificateFile}' with key '{keyFile}': {e.Message}", e);
        }
    }

    /// <summary>
    /// The certificate to present now (the <c>ServerCertificateSelector</c>): the files are looked
    /// at when the last look is at least <see cref="CheckInterval"/> ago.
    /// </summary>
    public X509Certificate2 Current
    {
        get
        {
            var now = _time.GetTimestamp();
            if (now >= Interlocked.Read(ref _nextCheck))
            {
                CheckFiles(now);
            }

            return _current;
        }
    }

    private static X509Certificate2 LoadPair(string certificateFile, string keyFile)
    {
        // Unparsable PEM throws CryptographicException; a key that is not the certificate's throws
        // ArgumentException: both mean "this pair does not load".
        X509Certificate2 certificate;
        try
        {
            certificate = X509Certificate2.CreateFromPemFile(certificateFile, keyFile);
        }
        catch (ArgumentException e)
        {
            throw new CryptographicException(e.Message, e);
        }

        return certificate.HasPrivateKey
            ? certificate
            : throw new CryptographicException($"'{keyFile}' holds no private key for '{certificateFile}'.");
    }

    private void CheckFiles(long now)
    {
        // One thread looks; the others keep presenting the current certificate meanwhile.
        if (!_gate.TryEnter())
        {
            return;
        }

        try
        {
            if (now < _nextCheck)
            {
                return;
            }

            Interlocked.Exchange(ref _nextCheck, now + _interval);
            FileStamp stamp;
            try
            {
                stamp = FileStamp.Of(_certificateFile, _keyFile);
            }
            catch (IOException e)
            {
                // A file being replaced (rename over it) can vanish for a moment: look again later
                // (said once until the files are back).
                if (!_unreadable && Logger is { } logger)
                {
                    LogUnreadable(logger, e, _certificateFile, _keyFile);
                }

                _unreadable = true;

                return;
            }

            _unreadable = false;
            if (stamp == _loaded || stamp == _failed)
            {
                return;
            }

            try
            {
                var certificate = LoadPair(_certificateFile, _keyFile);
                _current = certificate;
                _loaded = stamp;
                _failed = null;
                if (Logger is { } logger)
                {
                    // Rare (a rotation): computed whether or not the line is written.
                    var notAfter = certificate.NotAfter.ToUniversalTime();
                    var thumbprint = certificate.GetCertHashString(HashAlgorithmName.SHA256);
                    LogReloaded(logger, _certificateFile, certificate.Subject, notAfter, thumbprint);
                }
            }
            catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
            {
                // Logged once per state of the files; a later write (the key arriving after the
                // certificate) changes the stamp and is tried again.
                _failed = stamp;
                if (Logger is { } logger)
                {
                    LogNotLoaded(logger, e, _certificateFile, _keyFile, e.Message);
                }
            }
        }
        finally
        {
            _gate.Exit();
        }
    }

    [LoggerMessage(EventId = 650, Level = LogLevel.Information, Message = "Reloaded the serving certificate from '{Certificate}': subject {Subject}, not after {NotAfter:O}, SHA-256 {Thumbprint}")]
    private static partial void LogReloaded(ILogger logger, string certificate, string subject, DateTime notAfter, string thumbprint);

    [LoggerMessage(EventId = 651, Level = LogLevel.Error, Message = "The serving certificate '{Certificate}' with key '{Key}' changed but does not load ({Reason}); still presenting the previous certificate")]
    private static partial void LogNotLoaded(ILogger logger, Exception exception, string certificate, string key, string reason);

    [LoggerMessage(EventId = 652, Level = LogLevel.Warning, Message = "Cannot read the serving certificate files '{Certificate}', '{Key}'; still presenting the previous certificate")]
    private static partial void LogUnreadable(ILogger logger, Exception exception, string certificate, string key);

    /// <summary>What the pair of files looked like: modification times and sizes.</summary>
    private readonly record struct FileStamp(DateTime CertificateWritten, long CertificateLength, DateTime KeyWritten, long KeyLength)
    {
        public static FileStamp Of(string certificateFile, string keyFile)
        {
            var certificate = new FileInfo(certificateFile);
            var key = new FileInfo(keyFile);
            if (!certificate.Exists || !key.Exists)
            {
                throw new FileNotFoundException($"'{(certificate.Exists ? keyFile : certificateFile)}' does not exist.");
            }

            return new FileStamp(certificate.LastWriteTimeUtc, certificate.Length, key.LastWriteTimeUtc, key.Length);
        }
    }
}
