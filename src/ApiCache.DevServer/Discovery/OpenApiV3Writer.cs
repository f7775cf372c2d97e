using System.Globalization;
using System.Text.Json;
using ApiCache.DevServer.Resources;

namespace ApiCache.DevServer.Discovery;

/// <summary>
/// Minimal but valid OpenAPI 3.0 documents, one per group/version, plus the <c>/openapi/v3</c>
/// index. They carry what kubectl reads: every operation names its GVK in
/// <c>x-kubernetes-group-version-kind</c> and its verb in <c>x-kubernetes-action</c>; POST, PUT and
/// PATCH accept the <c>fieldValidation</c> query parameter, so kubectl create/apply leave
/// validation to the server (cli-runtime's query-param verifier looks for it on the PATCH
/// operation of the GVK); and each kind has a schema tagged with its GVK. Schemas only describe
/// apiVersion, kind and metadata and keep every other field (<c>x-kubernetes-preserve-unknown-fields</c>).
/// PATCH bodies list JSON patch, merge patch and apply patch, but not strategic merge patch: the
/// schemas carry no patch strategies, so kubectl computes strategic merge patches from its
/// compiled-in types instead of from these documents.
/// </summary>
internal static class OpenApiV3Writer
{
    private const string MetaPrefix = "io.k8s.apimachinery.pkg.apis.meta.v1.";
    private const string ObjectMeta = MetaPrefix + "ObjectMeta";
    private const string ListMeta = MetaPrefix + "ListMeta";
    private const string Status = MetaPrefix + "Status";
    private const string DeleteOptions = MetaPrefix + "DeleteOptions";
    private const string Patch = MetaPrefix + "Patch";

    /// <summary>Query and path parameters: name → (location, schema type, description).</summary>
    private static readonly Dictionary<string, (string In, string Type, string Description)> Parameters = new()
    {
        ["name"] = ("path", "string", "name of the object"),
        ["namespace"] = ("path", "string", "namespace of the object"),
        ["pretty"] = ("query", "string", "'true' indents the output"),
        ["allowWatchBookmarks"] = ("query", "boolean", "watch: also send BOOKMARK events"),
        ["continue"] = ("query", "string", "continue token of the previous page"),
        ["fieldSelector"] = ("query", "string", "restricts the objects by their fields"),
        ["labelSelector"] = ("query", "string", "restricts the objects by their labels"),
        ["limit"] = ("query", "integer", "maximum number of objects in one page"),
        ["resourceVersion"] = ("query", "string", "which state to read or watch from"),
        ["resourceVersionMatch"] = ("query", "string", "how resourceVersion applies (Exact, NotOlderThan)"),
        ["sendInitialEvents"] = ("query", "boolean", "watch: start with the current objects, then a bookmark"),
        ["timeoutSeconds"] = ("query", "integer", "ends the list or watch call after this many seconds"),
        ["watch"] = ("query", "boolean", "stream changes instead of listing"),
        ["dryRun"] = ("query", "string", "All: validate without persisting"),
        ["fieldManager"] = ("query", "string", "name of the actor making the change"),
        ["fieldValidation"] = ("query", "string", "Ignore, Warn or Strict: how the server treats unknown or duplicate fields"),
        ["force"] = ("query", "boolean", "apply patches: take ownership of conflicting fields"),
        ["gracePeriodSeconds"] = ("query", "integer", "seconds before the object is deleted"),
        ["propagationPolicy"] = ("query", "string", "Orphan, Background or Foreground garbage collection"),
    };

    private static readonly string[] ListParameters =
        ["allowWatchBookmarks", "continue", "fieldSelector", "labelSelector", "limit", "resourceVersion", "resourceVersionMatch", "sendInitialEvents", "timeoutSeconds", "watch"];

    private static readonly string[] WriteParameters = ["dryRun", "fieldManager", "fieldValidation"];

    private static readonly string[] PatchParameters = ["dryRun", "fieldManager", "fieldValidation", "force"];

    private static readonly string[] DeleteParameters = ["dryRun", "gracePeriodSeconds", "propagationPolicy"];

    private static readonly string[] DeleteCollectionParameters =
        ["continue", "dryRun", "fieldSelector", "gracePeriodSeconds", "labelSelector", "limit", "propagationPolicy", "resourceVersion", "resourceVersionMatch", "sendInitialEvents", "timeoutSeconds"];

    private static readonly string[] PatchContentTypes = ["application/apply-patch+yaml", "application/json-patch+json", "application/merge-patch+json"];

    /// <summary>The index: <c>{"paths":{"api/v1":{"serverRelativeURL":"/openapi/v3/api/v1?hash=..."}}}</c>, keys sorted.</summary>
    public static byte[] Index(IEnumerable<(string Path, string Hash)> documents) => DiscoveryJson.Compact(
        json =>
        {
            json.WriteStartObject();
            json.WriteStartObject("paths");
            foreach (var (path, hash) in documents.OrderBy(d => d.Path, StringComparer.Ordinal))
            {
                json.WriteStartObject(path);
                json.WriteString("serverRelativeURL", $"/openapi/v3/{path}?hash={hash}");
                json.WriteEndObject();
            }

            json.WriteEndObject();
            json.WriteEndObject();
        },
        trailingNewline: false);

    /// <summary>The document of one group/version.</summary>
    public static byte[] GroupVersion(ServedGroupVersion groupVersion) => DiscoveryJson.Compact(
        json =>
        {
            json.WriteStartObject();
            json.WriteString("openapi", "3.0.0");
            json.WriteStartObject("info");
            json.WriteString("title", "Kubernetes");
            json.WriteString("version", "unversioned");
            json.WriteEndObject();
            json.WriteStartObject("paths");
            foreach (var resource in groupVersion.Resources)
            {
                WritePaths(json, groupVersion, resource);
            }

            json.WriteEndObject();
            json.WriteStartObject("components");
            json.WriteStartObject("schemas");
            WriteSchemas(json, groupVersion);
            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteEndObject();
        },
        trailingNewline: false);

    /// <summary>The schema name of a kind: <c>io.k8s.api.core.v1.Pod</c>, or <c>com.example.v1.Widget</c> for CRD-like resources.</summary>
    public static string SchemaName(ResourceDefinition resource, string kind)
    {
        if (resource.Unstructured)
        {
            var labels = resource.Group.Split('.');
            Array.Reverse(labels);
            return $"{string.Join('.', labels)}.{resource.Version}.{kind}";
        }

        var package = resource.Group.Length == 0 ? "core" : resource.Group.Split('.')[0];
        return $"io.k8s.api.{package}.{resource.Version}.{kind}";
    }

    private static void WritePaths(Utf8JsonWriter json, ServedGroupVersion groupVersion, ResourceDefinition resource)
    {
        var root = "/" + groupVersion.ApiPath;
        var collection = resource.Namespaced ? $"{root}/namespaces/{{namespace}}/{resource.Resource}" : $"{root}/{resource.Resource}";
        var scope = resource.Namespaced ? "Namespaced" : "";
        var item = collection + "/{name}";
        string[] collectionPathParameters = resource.Namespaced ? ["namespace", "pretty"] : ["pretty"];
        string[] itemPathParameters = resource.Namespaced ? ["name", "namespace", "pretty"] : ["name", "pretty"];

        json.WriteStartObject(collection);
        WriteOperation(json, resource, "get", "list", $"list{scope}", ListParameters, body: null, [("200", ListRef(resource))]);
        WriteOperation(json, resource, "post", "post", $"create{scope}", WriteParameters, KindRef(resource),
            [("200", KindRef(resource)), ("201", KindRef(resource)), ("202", KindRef(resource))]);
        WriteOperation(json, resource, "delete", "deletecollection", $"deleteCollection{scope}", DeleteCollectionParameters, Ref(DeleteOptions), [("200", Ref(Status))]);
        WritePathParameters(json, collectionPathParameters);
        json.WriteEndObject();

        json.WriteStartObject(item);
        WriteItemOperations(json, resource, scope, suffix: "", withDelete: true);
        WritePathParameters(json, itemPathParameters);
        json.WriteEndObject();

        foreach (var subresource in ResourceDiscovery.Subresources(resource))
        {
            json.WriteStartObject($"{item}/{subresource.Name}");
            WriteItemOperations(json, resource, scope, Pascal(subresource.Name), withDelete: false);
            WritePathParameters(json, itemPathParameters);
            json.WriteEndObject();
        }

        if (resource.Namespaced)
        {
            json.WriteStartObject($"{root}/{resource.Resource}");
            WriteOperation(json, resource, "get", "list", "list", ListParameters, body: null, [("200", ListRef(resource))], operationSuffix: "ForAllNamespaces");
            WritePathParameters(json, ["pretty"]);
            json.WriteEndObject();
        }
    }

    /// <summary>get, put, patch (and delete) of one object or one of its subresources.</summary>
    private static void WriteItemOperations(Utf8JsonWriter json, ResourceDefinition resource, string scope, string suffix, bool withDelete)
    {
        var kind = KindRef(resource);
        WriteOperation(json, resource, "get", "get", $"read{scope}", [], body: null, [("200", kind)], suffix);
        WriteOperation(json, resource, "put", "put", $"replace{scope}", WriteParameters, kind, [("200", kind), ("201", kind)], suffix);
        WriteOperation(json, resource, "patch", "patch", $"patch{scope}", PatchParameters, Ref(Patch), [("200", kind), ("201", kind)], suffix, PatchContentTypes);
        if (withDelete)
        {
            WriteOperation(json, resource, "delete", "delete", $"delete{scope}", DeleteParameters, Ref(DeleteOptions), [("200", kind), ("202", kind)], suffix);
        }
    }

    private static void WriteOperation(
        Utf8JsonWriter json,
        ResourceDefinition resource,
        string method,
        string action,
        string operationVerb,
        IEnumerable<string> parameters,
        string? body,
        (string Code, string Schema)[] responses,
        string operationSuffix = "",
        string[]? bodyContentTypes = null)
    {
        json.WriteStartObject(method);
        DiscoveryJson.WriteStrings(json, "tags", [OperationGroup(resource) + "_" + resource.Version]);
        json.WriteString("operationId", SplitVerb(operationVerb, resource, operationSuffix));
        json.WriteStartArray("parameters");
        foreach (var parameter in parameters)
        {
            WriteParameter(json, parameter);
        }

        json.WriteEndArray();
        if (body is not null)
        {
            json.WriteStartObject("requestBody");
            json.WriteStartObject("content");
            foreach (var contentType in bodyContentTypes ?? ["application/json"])
            {
                WriteSchemaContent(json, contentType, body);
            }

            json.WriteEndObject();
            json.WriteBoolean("required", method != "delete");
            json.WriteEndObject();
        }

        json.WriteStartObject("responses");
        foreach (var (code, schema) in responses)
        {
            json.WriteStartObject(code);
            json.WriteString("description", code == "200" ? "OK" : code == "201" ? "Created" : "Accepted");
            json.WriteStartObject("content");
            WriteSchemaContent(json, "application/json", schema);
            json.WriteEndObject();
            json.WriteEndObject();
        }

        json.WriteStartObject("401");
        json.WriteString("description", "Unauthorized");
        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteString("x-kubernetes-action", action);
        json.WritePropertyName("x-kubernetes-group-version-kind");
        WriteGroupVersionKind(json, resource, resource.Kind);
        json.WriteEndObject();
    }

    /// <summary>
    /// kube-style operationId: verb, group, version, scope and kind, e.g. createCoreV1NamespacedPod,
    /// deleteCollectionNamespacedPod → deleteCoreV1CollectionNamespacedPod, patchAppsV1NamespacedDeploymentStatus.
    /// </summary>
    private static string SplitVerb(string operationVerb, ResourceDefinition resource, string suffix)
    {
        var verbEnd = 0;
        while (verbEnd < operationVerb.Length && !char.IsUpper(operationVerb[verbEnd]))
        {
            verbEnd++;
        }

        var groupVersion = Pascal(OperationGroup(resource)) + Pascal(resource.Version);
        return operationVerb[..verbEnd] + groupVersion + operationVerb[verbEnd..] + resource.Kind + suffix;
    }

    /// <summary>core for the core group; the group without .k8s.io otherwise, dots and dashes kept as word breaks.</summary>
    private static string OperationGroup(ResourceDefinition resource)
    {
        if (resource.Group.Length == 0)
        {
            return "core";
        }

        return resource.Group.EndsWith(".k8s.io", StringComparison.Ordinal) ? resource.Group[..^".k8s.io".Length] : resource.Group;
    }

    private static string Pascal(string words) => string.Concat(
        words.Split(['.', '-', '_'], StringSplitOptions.RemoveEmptyEntries)
            .Select(w => char.ToUpper(w[0], CultureInfo.InvariantCulture) + w[1..]));

    private static void WritePathParameters(Utf8JsonWriter json, string[] names)
    {
        json.WriteStartArray("parameters");
        foreach (var name in names)
        {
            WriteParameter(json, name);
        }

        json.WriteEndArray();
    }

    private static void WriteParameter(Utf8JsonWriter json, string name)
    {
        var (location, type, description) = Parameters[name];
        json.WriteStartObject();
        json.WriteString("name", name);
        json.WriteString("in", location);
        json.WriteString("description", description);
        if (location == "path")
        {
            json.WriteBoolean("required", true);
        }

        json.WriteStartObject("schema");
        json.WriteString("type", type);
        json.WriteBoolean("uniqueItems", true);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void WriteSchemaContent(Utf8JsonWriter json, string contentType, string schemaRef)
    {
        json.WriteStartObject(contentType);
        json.WriteStartObject("schema");
        json.WriteString("$ref", schemaRef);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void WriteSchemas(Utf8JsonWriter json, ServedGroupVersion groupVersion)
    {
        foreach (var resource in groupVersion.Resources)
        {
            json.WriteStartObject(SchemaName(resource, resource.Kind));
            json.WriteString("description", $"{resource.Kind} of {resource.GroupVersion}; fields besides apiVersion, kind and metadata are kept as sent.");
            json.WriteString("type", "object");
            json.WriteStartObject("properties");
            WriteTypeMetaProperties(json);
            WriteRefProperty(json, "metadata", ObjectMeta);
            json.WriteEndObject();
            json.WriteStartArray("x-kubernetes-group-version-kind");
            WriteGroupVersionKind(json, resource, resource.Kind);
            json.WriteEndArray();
            json.WriteBoolean("x-kubernetes-preserve-unknown-fields", true);
            json.WriteEndObject();

            json.WriteStartObject(SchemaName(resource, resource.ListKind));
            json.WriteString("description", $"A list of {resource.Kind}.");
            json.WriteString("type", "object");
            DiscoveryJson.WriteStrings(json, "required", ["items"]);
            json.WriteStartObject("properties");
            WriteTypeMetaProperties(json);
            json.WriteStartObject("items");
            json.WriteString("type", "array");
            json.WriteStartObject("items");
            json.WriteString("$ref", KindRef(resource));
            json.WriteEndObject();
            json.WriteEndObject();
            WriteRefProperty(json, "metadata", ListMeta);
            json.WriteEndObject();
            json.WriteStartArray("x-kubernetes-group-version-kind");
            WriteGroupVersionKind(json, resource, resource.ListKind);
            json.WriteEndArray();
            json.WriteEndObject();
        }

        WriteOpaqueSchema(json, DeleteOptions, "Options of a delete call.");
        WriteOpaqueSchema(json, ListMeta, "Metadata of a list: resourceVersion, continue, remainingItemCount.");
        WriteOpaqueSchema(json, ObjectMeta, "Metadata of an object: name, namespace, labels, resourceVersion, ...");
        json.WriteStartObject(Patch);
        json.WriteString("description", "A patch body in one of the accepted patch formats.");
        json.WriteString("type", "object");
        json.WriteEndObject();
        WriteOpaqueSchema(json, Status, "The result of a call that returns no object, or an error.");
    }

    private static void WriteOpaqueSchema(Utf8JsonWriter json, string name, string description)
    {
        json.WriteStartObject(name);
        json.WriteString("description", description);
        json.WriteString("type", "object");
        json.WriteBoolean("x-kubernetes-preserve-unknown-fields", true);
        json.WriteEndObject();
    }

    private static void WriteTypeMetaProperties(Utf8JsonWriter json)
    {
        json.WriteStartObject("apiVersion");
        json.WriteString("type", "string");
        json.WriteEndObject();
        json.WriteStartObject("kind");
        json.WriteString("type", "string");
        json.WriteEndObject();
    }

    private static void WriteRefProperty(Utf8JsonWriter json, string name, string schema)
    {
        json.WriteStartObject(name);
        json.WriteString("$ref", Ref(schema));
        json.WriteEndObject();
    }

    /// <summary><c>{"group":..,"kind":..,"version":..}</c> (the apiserver's key order).</summary>
    private static void WriteGroupVersionKind(Utf8JsonWriter json, ResourceDefinition resource, string kind)
    {
        json.WriteStartObject();
        json.WriteString("group", resource.Group);
        json.WriteString("kind", kind);
        json.WriteString("version", resource.Version);
        json.WriteEndObject();
    }

    private static string Ref(string schema) => "#/components/schemas/" + schema;

    private static string KindRef(ResourceDefinition resource) => Ref(SchemaName(resource, resource.Kind));

    private static string ListRef(ResourceDefinition resource) => Ref(SchemaName(resource, resource.ListKind));
}
