using System.Text.RegularExpressions;
using ApiCache.Configuration;
using ApiCache.Upstream.Kubeconfig;
using YamlDotNet.Core;
using YamlDotNet.Serialization;

namespace ApiCache.Upstream;

/// <summary>
/// Reads the server and credentials of one context from a kubeconfig, as kubectl would: relative
/// paths are relative to the file that names them, and several files separated by
/// <see cref="Path.PathSeparator"/> (<c>KUBECONFIG</c> style) are merged with the first definition
/// of each name winning. Only what ApiCache can honour is accepted; exec plugins, auth providers,
/// basic authentication, impersonation and proxies are rejected with a one-line error.
/// </summary>
internal static partial class KubeconfigLoader
{
    private const string ContextOption = "ApiCache:Upstream:Context";
    private const string KubeconfigOption = "ApiCache:Upstream:Kubeconfig";

    /// <summary>Loads <paramref name="context"/>, or the current context when it is empty.</summary>
    /// <param name="path">One kubeconfig path, or several separated by <see cref="Path.PathSeparator"/>.</param>
    /// <param name="context">The context to use; the first <c>current-context</c> found when empty.</param>
    /// <exception cref="ApiCacheConfigurationException">The file or the selected entries are unusable.</exception>
    public static UpstreamServerSettings Load(string path, string? context)
    {
        ArgumentNullException.ThrowIfNull(path);
        return Load(path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), context);
    }

    /// <summary>Loads <paramref name="context"/> from the kubeconfig files <paramref name="files"/>, merged in order.</summary>
    /// <exception cref="ApiCacheConfigurationException">The files or the selected entries are unusable.</exception>
    public static UpstreamServerSettings Load(IEnumerable<string> files, string? context)
    {
        ArgumentNullException.ThrowIfNull(files);
        var paths = files
            .Select(Path.GetFullPath)
            .Distinct(StringComparer.Ordinal)
            .ToArray();
        if (paths.Length == 0)
        {
            throw new ApiCacheConfigurationException($"{KubeconfigOption} is empty; set it to the path of a kubeconfig file.");
        }

        var display = string.Join(Path.PathSeparator, paths);
        var merged = new Merged();
        foreach (var file in paths)
        {
            merged.Add(file, Parse(file));
        }

        if (merged.Contexts.Count == 0)
        {
            throw new ApiCacheConfigurationException(
                $"Kubeconfig '{display}' defines no contexts; add one (kubectl config set-context) or set {KubeconfigOption} to another file.");
        }

        var contextName = string.IsNullOrWhiteSpace(context) ? merged.CurrentContext : context.Trim();
        if (string.IsNullOrEmpty(contextName))
        {
            throw new ApiCacheConfigurationException(
                $"Kubeconfig '{display}' has no current-context; set {ContextOption} to one of: {List(merged.Contexts.Keys)}.");
        }

        if (!merged.Contexts.TryGetValue(contextName, out var selected))
        {
            throw new ApiCacheConfigurationException(
                $"Kubeconfig '{display}' has no context '{contextName}'; available contexts: {List(merged.Contexts.Keys)} (set {ContextOption}).");
        }

        var where = $"Kubeconfig '{selected.File}', context '{contextName}'";
        var contextEntry = selected.Value ?? new KubeconfigContext();
        if (string.IsNullOrWhiteSpace(contextEntry.Cluster))
        {
            throw new ApiCacheConfigurationException($"{where} names no cluster; set contexts[].context.cluster.");
        }

        if (!merged.Clusters.TryGetValue(contextEntry.Cluster, out var cluster))
        {
            throw new ApiCacheConfigurationException(
                $"{where} refers to cluster '{contextEntry.Cluster}', which is not defined; available clusters: {List(merged.Clusters.Keys)}.");
        }

        Origin<KubeconfigUser?>? user = null;
        if (!string.IsNullOrWhiteSpace(contextEntry.User))
        {
            if (!merged.Users.TryGetValue(contextEntry.User, out var found))
            {
                throw new ApiCacheConfigurationException(
                    $"{where} refers to user '{contextEntry.User}', which is not defined; available users: {List(merged.Users.Keys)}.");
            }

            user = found;
        }

        var settings = FromCluster(contextEntry.Cluster, cluster, $"kubeconfig {display} (context {contextName})");
        if (user is not null)
        {
            settings = ApplyUser(settings, contextEntry.User!, user);
        }

        return settings;
    }

    private static UpstreamServerSettings FromCluster(string name, Origin<KubeconfigCluster?> origin, string source)
    {
        var where = $"Kubeconfig '{origin.File}', cluster '{name}'";
        var cluster = origin.Value ?? new KubeconfigCluster();
        if (string.IsNullOrWhiteSpace(cluster.Server))
        {
            throw new ApiCacheConfigurationException($"{where} has no server; set clusters[].cluster.server to the apiserver URL, e.g. https://10.0.0.1:6443.");
        }

        var url = UpstreamMaterial.TryParseServerUrl(cluster.Server, out var reason)
            ?? throw new ApiCacheConfigurationException($"{where}: server '{cluster.Server}' {reason}; use e.g. https://10.0.0.1:6443.");

        if (!string.IsNullOrWhiteSpace(cluster.ProxyUrl))
        {
            throw new ApiCacheConfigurationException($"{where} sets proxy-url, which ApiCache does not support; remove it and let ApiCache reach the apiserver directly.");
        }

        var ca = ReadPem(origin.File, where, "certificate-authority", cluster.CertificateAuthority, cluster.CertificateAuthorityData);
        if (ca is not null)
        {
            if (cluster.InsecureSkipTlsVerify)
            {
                throw new ApiCacheConfigurationException($"{where} sets both insecure-skip-tls-verify and a certificate authority; remove one of them.");
            }

            UpstreamMaterial.ValidateCertificateAuthority(ca, $"{where} certificate-authority");
        }

        return new UpstreamServerSettings
        {
            Url = url,
            Source = source,
            CertificateAuthorityPem = ca,
            InsecureSkipTlsVerify = cluster.InsecureSkipTlsVerify,
            TlsServerName = string.IsNullOrWhiteSpace(cluster.TlsServerName) ? null : cluster.TlsServerName.Trim(),
        };
    }

    private static UpstreamServerSettings ApplyUser(UpstreamServerSettings settings, string name, Origin<KubeconfigUser?> origin)
    {
        var where = $"Kubeconfig '{origin.File}', user '{name}'";
        const string Supported = "use a token, token file or client certificate";
        var user = origin.Value ?? new KubeconfigUser();
        if (user.Exec is not null)
        {
            throw new ApiCacheConfigurationException($"{where} uses exec plugin '{user.Exec.Command}': exec credential plugins are not supported; {Supported}.");
        }

        if (user.AuthProvider is not null)
        {
            throw new ApiCacheConfigurationException($"{where} uses auth-provider '{user.AuthProvider.Name}', which ApiCache does not support; {Supported}.");
        }

        if (!string.IsNullOrEmpty(user.Username) || !string.IsNullOrEmpty(user.Password))
        {
            throw new ApiCacheConfigurationException($"{where} uses basic authentication (username/password), which ApiCache does not support; {Supported}.");
        }

        if (!string.IsNullOrEmpty(user.Impersonate))
        {
            throw new ApiCacheConfigurationException($"{where} sets 'as' (impersonation), which ApiCache does not support; remove it.");
        }

        var certificate = ReadPem(origin.File, where, "client-certificate", user.ClientCertificate, user.ClientCertificateData);
        var key = ReadPem(origin.File, where, "client-key", user.ClientKey, user.ClientKeyData);
        if (certificate is not null && key is null)
        {
            throw new ApiCacheConfigurationException($"{where} sets client-certificate but no client-key; set both or neither.");
        }

        if (key is not null && certificate is null)
        {
            throw new ApiCacheConfigurationException($"{where} sets client-key but no client-certificate; set both or neither.");
        }

        if (certificate is not null && key is not null)
        {
            UpstreamMaterial.ValidateClientCertificate(certificate, key, where);
        }

        string? tokenFile = null;
        if (!string.IsNullOrWhiteSpace(user.TokenFile))
        {
            tokenFile = Relative(origin.File, user.TokenFile);
            UpstreamMaterial.RequireFile(tokenFile, $"{where} tokenFile");
        }

        return settings with
        {
            // As in client-go, a token file takes precedence over a token when both are set;
            // BearerTokenSource falls back to the token only while the file cannot be read.
            BearerToken = string.IsNullOrWhiteSpace(user.Token) ? null : user.Token.Trim(),
            BearerTokenFile = tokenFile,
            ClientCertificatePem = certificate,
            ClientKeyPem = key,
        };
    }

    /// <summary>Reads a <c>field</c> / <c>field-data</c> pair: a file path or base64 PEM.</summary>
    private static byte[]? ReadPem(string file, string where, string field, string? path, string? data)
    {
        var hasPath = !string.IsNullOrWhiteSpace(path);
        var hasData = !string.IsNullOrWhiteSpace(data);
        if (hasPath && hasData)
        {
            throw new ApiCacheConfigurationException($"{where} sets both {field} and {field}-data; remove one of them.");
        }

        if (hasData)
        {
            try
            {
                return Convert.FromBase64String(data!);
            }
            catch (FormatException ex)
            {
                throw new ApiCacheConfigurationException($"{where}: {field}-data is not valid base64; it must hold the base64 of a PEM file.", ex);
            }
        }

        return hasPath ? UpstreamMaterial.ReadFile(Relative(file, path!), $"{where} {field} file") : null;
    }

    /// <summary>Resolves a path named in <paramref name="file"/> as kubectl does: relative to its directory.</summary>
    private static string Relative(string file, string path) =>
        Path.GetFullPath(path.Trim(), Path.GetDirectoryName(file) ?? Directory.GetCurrentDirectory());

    private static KubeconfigFile Parse(string file)
    {
        var text = System.Text.Encoding.UTF8.GetString(UpstreamMaterial.ReadFile(file, $"{KubeconfigOption}: kubeconfig file"));

        try
        {
            var deserializer = new DeserializerBuilder().IgnoreUnmatchedProperties().Build();
            return deserializer.Deserialize<KubeconfigFile?>(text)
                ?? throw new ApiCacheConfigurationException($"Kubeconfig file '{file}' is empty; write a kubeconfig there or set {KubeconfigOption} to another file.");
        }
        catch (YamlException ex)
        {
            // Deserialization errors wrap the useful message ("... is not a valid YAML Boolean");
            // assembly-qualified type names in it are noise to an operator.
            var detail = AssemblyQualifiers().Replace(ex.InnerException?.Message ?? ex.Message, string.Empty);
            throw new ApiCacheConfigurationException(
                $"Kubeconfig file '{file}' is not a valid kubeconfig at line {ex.Start.Line}, column {ex.Start.Column}: {UpstreamMaterial.OneLine(detail)}; fix the file.",
                ex);
        }
    }

    [GeneratedRegex(@", [\w.]+, Version=[^,\]]+, Culture=[^,\]]+, PublicKeyToken=\w+")]
    private static partial Regex AssemblyQualifiers();

    private static string List(IEnumerable<string> names)
    {
        var sorted = names.Order(StringComparer.Ordinal).ToArray();
        return sorted.Length == 0 ? "(none)" : string.Join(", ", sorted);
    }

    /// <summary>An entry and the file it came from, whose directory its relative paths resolve against.</summary>
    private sealed record Origin<T>(T Value, string File);

    /// <summary>Several kubeconfig files merged kubectl-style: the first definition of a name wins.</summary>
    private sealed class Merged
    {
        public Dictionary<string, Origin<KubeconfigCluster?>> Clusters { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, Origin<KubeconfigUser?>> Users { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, Origin<KubeconfigContext?>> Contexts { get; } = new(StringComparer.Ordinal);

        public string? CurrentContext { get; private set; }

        public void Add(string file, KubeconfigFile config)
        {
            foreach (var entry in config.Clusters ?? [])
            {
                if (!string.IsNullOrEmpty(entry?.Name))
                {
                    Clusters.TryAdd(entry.Name, new(entry.Cluster, file));
                }
            }

            foreach (var entry in config.Users ?? [])
            {
                if (!string.IsNullOrEmpty(entry?.Name))
                {
                    Users.TryAdd(entry.Name, new(entry.User, file));
                }
            }

            foreach (var entry in config.Contexts ?? [])
            {
                if (!string.IsNullOrEmpty(entry?.Name))
                {
                    Contexts.TryAdd(entry.Name, new(entry.Context, file));
                }
            }

            if (string.IsNullOrWhiteSpace(CurrentContext) && !string.IsNullOrWhiteSpace(config.CurrentContext))
            {
                CurrentContext = config.CurrentContext.Trim();
            }
        }
    }
}
