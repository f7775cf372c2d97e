using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using ApiCache.Configuration;

namespace ApiCache.Upstream;

/// <summary>
/// Checks shared by every upstream source: server URLs, files named in configuration and PEM
/// material. Each failure is an <see cref="ApiCacheConfigurationException"/> with a one-line message
/// that starts with <c>what</c> (the option key or kubeconfig field) so the operator knows what to fix.
/// </summary>
internal static class UpstreamMaterial
{
    /// <summary>Parses an apiserver base URL; <see langword="null"/> with a reason when it is unusable.</summary>
    public static Uri? TryParseServerUrl(string value, out string reason)
    {
        if (!Uri.TryCreate(value.Trim(), UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp)
            || string.IsNullOrEmpty(uri.Host))
        {
            reason = "is not an absolute http or https URL";
            return null;
        }

        if (!string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment))
        {
            reason = "must not have a query or fragment";
            return null;
        }

        reason = string.Empty;
        return uri;
    }

    /// <summary>Reads a file named by configuration; <paramref name="what"/> names the setting.</summary>
    public static byte[] ReadFile(string path, string what)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ApiCacheConfigurationException($"{what} '{path}' does not exist; fix the path or create the file.", ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ApiCacheConfigurationException($"{what} '{path}' cannot be read: {OneLine(ex.Message)}; check the path and its permissions.", ex);
        }
    }

    /// <summary>Fails unless <paramref name="path"/> is an existing file; <paramref name="what"/> names the setting.</summary>
    public static void RequireFile(string path, string what)
    {
        if (!File.Exists(path))
        {
            throw new ApiCacheConfigurationException($"{what} '{path}' does not exist; fix the path or create the file.");
        }
    }

    /// <summary>Checks that a client certificate and key are PEM and belong together.</summary>
    public static void ValidateClientCertificate(byte[] certificatePem, byte[] keyPem, string what) =>
        LoadClientCertificate(certificatePem, keyPem, what).Dispose();

    /// <summary>Loads a PEM client certificate with its key; <paramref name="what"/> names the setting on failure.</summary>
    public static X509Certificate2 LoadClientCertificate(byte[] certificatePem, byte[] keyPem, string what)
    {
        try
        {
            return X509Certificate2.CreateFromPem(Decode(certificatePem), Decode(keyPem));
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException)
        {
            throw new ApiCacheConfigurationException(
                $"{what}: the client certificate and key cannot be loaded as a PEM pair: {OneLine(ex.Message)}; supply a PEM certificate and its unencrypted PEM private key.",
                ex);
        }
    }

    /// <summary>Checks that a CA bundle holds at least one PEM certificate.</summary>
    public static void ValidateCertificateAuthority(byte[] bundlePem, string what)
    {
        foreach (var certificate in LoadCertificateAuthority(bundlePem, what))
        {
            certificate.Dispose();
        }
    }

    /// <summary>Loads a PEM CA bundle (at least one certificate); <paramref name="what"/> names the setting on failure.</summary>
    public static X509Certificate2Collection LoadCertificateAuthority(byte[] bundlePem, string what)
    {
        var certificates = new X509Certificate2Collection();
        try
        {
            certificates.ImportFromPem(Decode(bundlePem));
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException)
        {
            foreach (var certificate in certificates)
            {
                certificate.Dispose();
            }

            throw new ApiCacheConfigurationException(
                $"{what}: the CA bundle cannot be parsed: {OneLine(ex.Message)}; supply one or more PEM certificates.",
                ex);
        }

        if (certificates.Count == 0)
        {
            throw new ApiCacheConfigurationException(
                $"{what}: the CA bundle holds no PEM certificate (-----BEGIN CERTIFICATE-----); supply one or more PEM certificates.");
        }

        return certificates;
    }

    /// <summary>Expands a leading <c>~</c> or <c>~/</c> to the home directory.</summary>
    public static string ExpandHome(string path, Func<string, string?> getEnvironmentVariable)
    {
        if (path != "~" && !path.StartsWith("~/", StringComparison.Ordinal))
        {
            return path;
        }

        var home = getEnvironmentVariable("HOME");
        if (string.IsNullOrEmpty(home))
        {
            home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        }

        return string.IsNullOrEmpty(home) ? path : Path.Join(home, path.AsSpan(1));
    }

    /// <summary>Folds a message onto one line, for start-up errors that must stay one line.</summary>
    public static string OneLine(string message) =>
        message.ReplaceLineEndings(" ").Trim().TrimEnd('.');

    private static string Decode(byte[] pem) => Encoding.UTF8.GetString(pem);
}
