using Microsoft.AspNetCore.Http;

namespace ApiCache.Requests;

/// <summary>
/// Parses Kubernetes API requests into <see cref="KubernetesRequestInfo"/>, following the
/// apiserver's rules:
/// <code>
/// /api/{version}/{resource}                                   core, cluster or all namespaces
/// /api/{version}/namespaces/{namespace}/{resource}/{name}/{subresource}
/// /apis/{group}/{version}/...                                 the same under a group
/// /api/{version}/watch/...  /api/{version}/proxy/...          legacy special verbs
/// /api/{version}/namespaces/{name}/status|finalize            subresources of a namespace
/// </code>
/// A GET without a name is a list (a watch with <c>watch=true</c>); a DELETE without a name is a
/// deletecollection.
/// </summary>
internal static class RequestInfoParser
{
    /// <summary>Parses an ASP.NET Core request.</summary>
    public static KubernetesRequestInfo Parse(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Parse(request.Method, request.Path.Value ?? "/", request.Query);
    }

    /// <summary>Parses a method, a path and its query.</summary>
    public static KubernetesRequestInfo Parse(string method, string path, IQueryCollection query)
    {
        var verb = method.ToLowerInvariant();
        var parts = path.Trim('/').Split('/');
        var nonResource = new KubernetesRequestInfo { Verb = verb, Path = path };
        if (parts.Length == 0 || (parts[0] != "api" && parts[0] != "apis"))
        {
            return nonResource;
        }

        var prefix = parts[0];
        var group = "";
        int next;
        if (prefix == "api")
        {
            // /api/{version}/... : anything shorter (/api) is discovery.
            if (parts.Length < 3)
            {
                return nonResource;
            }

            next = 1;
        }
        else
        {
            // /apis/{group}/{version}/... : anything shorter (/apis, /apis/apps, /apis/apps/v1) is discovery.
            if (parts.Length < 4)
            {
                return nonResource;
            }

            group = parts[1];
            next = 2;
        }

        var version = parts[next];
        var rest = new ArraySegment<string>(parts, next + 1, parts.Length - next - 1);

        verb = verb switch
        {
            "post" => "create",
            "get" or "head" => "get",
            "put" => "update",
            "patch" => "patch",
            "delete" => "delete",
            _ => verb,
        };

        if (rest.Count > 0 && (rest[0] == "watch" || rest[0] == "proxy"))
        {
            if (rest.Count < 2)
            {
                return nonResource;
            }

            verb = rest[0];
            rest = rest.Slice(1);
        }

        var ns = "";
        if (rest.Count > 0 && rest[0] == "namespaces" && rest.Count > 1)
        {
            ns = rest[1];

            // /namespaces/{ns}/{resource}... addresses a namespaced resource; /namespaces/{ns}
            // and /namespaces/{ns}/status|finalize address the namespace object itself.
            if (rest.Count > 2 && rest[2] != "status" && rest[2] != "finalize")
            {
                rest = rest.Slice(2);
            }
        }

        var resource = rest.Count >= 1 ? rest[0] : "";
        var name = rest.Count >= 2 ? rest[1] : "";
        var subresource = rest.Count >= 3 ? rest[2] : "";
        if (name.Length == 0 && verb == "get")
        {
            verb = IsTrue(query["watch"]) ? "watch" : "list";
        }

        if (name.Length == 0 && verb == "delete")
        {
            verb = "deletecollection";
        }

        if ((verb == "list" || verb == "watch") && name.Length == 0)
        {
            name = NameFromFieldSelector(query["fieldSelector"]) ?? "";
        }

        return new KubernetesRequestInfo
        {
            IsResourceRequest = true,
            Verb = verb,
            ApiPrefix = prefix,
            ApiGroup = group,
            ApiVersion = version,
            Namespace = ns,
            Resource = resource,
            Name = name,
            Subresource = subresource,
            Path = path,
        };
    }

    /// <summary>Go's strconv.ParseBool, which the apiserver uses for <c>watch</c>.</summary>
    private static bool IsTrue(string? value) => value is "1" or "t" or "T" or "true" or "TRUE" or "True";

    /// <summary>The name in a <c>metadata.name=X</c> (or <c>==</c>) requirement of a field selector.</summary>
    private static string? NameFromFieldSelector(string? selector)
    {
        if (string.IsNullOrEmpty(selector))
        {
            return null;
        }

        foreach (var requirement in selector.Split(','))
        {
            var trimmed = requirement.Trim();
            foreach (var op in (ReadOnlySpan<string>)["metadata.name==", "metadata.name="])
            {
                if (trimmed.StartsWith(op, StringComparison.Ordinal))
                {
                    return trimmed[op.Length..];
                }
            }
        }

        return null;
    }
}
