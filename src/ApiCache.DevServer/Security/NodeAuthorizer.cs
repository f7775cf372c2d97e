using System.Text.Json.Nodes;
using ApiCache.DevServer.Objects;
using ApiCache.DevServer.Resources;
using ApiCache.Security;
using ApiCache.Selectors;

namespace ApiCache.DevServer.Security;

/// <summary>
/// Kubernetes 1.34's Node authorizer (with AuthorizeNodeWithSelectors), for users
/// <c>system:node:&lt;name&gt;</c> in <c>system:nodes</c>: a node reads only its own Node (list and
/// watch with <c>metadata.name=&lt;name&gt;</c>), lists and watches pods only with
/// <c>spec.nodeName=&lt;name&gt;</c>, gets only pods bound to it, and reads secrets, configmaps,
/// persistent volume claims (and creates tokens of service accounts) only when a pod bound to it
/// refers to them. The relationship graph of the apiserver is replaced by a look at the pods in the
/// store. It never denies outright: without a match it has no opinion, with the apiserver's reason.
/// The static rules the apiserver also grants nodes (events, services, ...) are not modelled.
/// </summary>
internal sealed class NodeAuthorizer(ResourceStore objects, ResourceCatalog catalog)
{
    private const string NodeUserPrefix = "system:node:";
    private const string NodesGroup = "system:nodes";

    /// <summary>The node's name when <paramref name="user"/> is a node identity.</summary>
    public static bool IsNode(UserInfo user, out string nodeName)
    {
        ArgumentNullException.ThrowIfNull(user);
        nodeName = "";
        if (!user.Name.StartsWith(NodeUserPrefix, StringComparison.Ordinal) || !user.Groups.Contains(NodesGroup))
        {
            return false;
        }

        nodeName = user.Name[NodeUserPrefix.Length..];
        return true;
    }

    /// <summary>The Node authorizer's decision on <paramref name="attributes"/>.</summary>
    public async ValueTask<AccessDecision> AuthorizeAsync(AccessReviewAttributes attributes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(attributes);
        if (!IsNode(attributes.User, out var node))
        {
            return AccessDecision.NoOpinion;
        }

        if (node.Length == 0)
        {
            return Deny($"unknown node for user {GoText.Quote(attributes.User.Name)}");
        }

        if (!attributes.IsResourceRequest)
        {
            return AccessDecision.NoOpinion;
        }

        return (attributes.Group, attributes.Resource) switch
        {
            ("", "secrets") => await ReadNamespacedObjectAsync(node, Vertex.Secret, attributes, cancellationToken),
            ("", "configmaps") => await ReadNamespacedObjectAsync(node, Vertex.ConfigMap, attributes, cancellationToken),
            ("", "persistentvolumeclaims") when attributes.Subresource == "status" => await StatusUpdateAsync(node, Vertex.PersistentVolumeClaim, attributes, cancellationToken),
            ("", "persistentvolumeclaims") => await GetAsync(node, Vertex.PersistentVolumeClaim, attributes, cancellationToken),
            ("", "persistentvolumes") => await GetAsync(node, Vertex.Other, attributes, cancellationToken),
            ("resource.k8s.io", "resourceclaims") => await GetAsync(node, Vertex.ResourceClaim, attributes, cancellationToken),
            ("storage.k8s.io", "volumeattachments") => await GetAsync(node, Vertex.Other, attributes, cancellationToken),
            ("", "serviceaccounts") => await CreateTokenAsync(node, attributes, cancellationToken),
            ("coordination.k8s.io", "leases") => Lease(node, attributes),
            ("storage.k8s.io", "csinodes") => CsiNode(node, attributes),
            ("resource.k8s.io", "resourceslices") => await ResourceSliceAsync(node, attributes, cancellationToken),
            ("", "nodes") => Node(node, attributes),
            ("", "pods") => await PodAsync(node, attributes, cancellationToken),
            _ => AccessDecision.NoOpinion,
        };
    }

    private static AccessDecision Deny(string reason) => new(false, Reason: reason);

    private static AccessDecision Node(string node, AccessReviewAttributes attributes)
    {
        switch (attributes.Subresource, attributes.Verb)
        {
            case ("", "create" or "update" or "patch"):
            case ("status", "update" or "patch"):
                return AccessDecision.Allow;
            case ("", "get" or "list" or "watch"):
                if (attributes.Name == node)
                {
                    return AccessDecision.Allow;
                }

                return attributes.Name.Length == 0
                    ? Deny($"node '{node}' cannot read all nodes, only its own Node object")
                    : Deny($"node '{node}' cannot read '{attributes.Name}', only its own Node object");
            default:
                return AccessDecision.NoOpinion;
        }
    }

    private async ValueTask<AccessDecision> PodAsync(string node, AccessReviewAttributes attributes, CancellationToken cancellationToken)
    {
        switch (attributes.Subresource, attributes.Verb)
        {
            case ("", "get"):
                return await GetAsync(node, Vertex.Pod, attributes, cancellationToken);
            case ("", "list" or "watch"):
                if (attributes.FieldSelector.Any(r => r is { Key: "spec.nodeName", Operator: "In", Values: [var value] } && value == node))
                {
                    return AccessDecision.Allow;
                }

                return attributes.Name.Length > 0
                    ? await RelatedAsync(node, Vertex.Pod, attributes, cancellationToken)
                    : Deny("can only list/watch pods with spec.nodeName field selector");
            case ("", "create" or "delete"):
            case ("status", "update" or "patch"):
            case ("eviction", "create"):
                return AccessDecision.Allow;
            default:
                return AccessDecision.NoOpinion;
        }
    }

    private async ValueTask<AccessDecision> ReadNamespacedObjectAsync(string node, Vertex vertex, AccessReviewAttributes attributes, CancellationToken cancellationToken)
    {
        if (attributes.Verb is not ("get" or "list" or "watch"))
        {
            return Deny("can only read resources of this type");
        }

        if (attributes.Subresource.Length > 0)
        {
            return Deny("cannot read subresource");
        }

        return attributes.Namespace.Length == 0
            ? Deny("can only read namespaced object of this type")
            : await RelatedAsync(node, vertex, attributes, cancellationToken);
    }

    private async ValueTask<AccessDecision> GetAsync(string node, Vertex vertex, AccessReviewAttributes attributes, CancellationToken cancellationToken)
    {
        if (attributes.Verb != "get")
        {
            return Deny("can only get individual resources of this type");
        }

        return attributes.Subresource.Length > 0
            ? Deny("cannot get subresource")
            : await RelatedAsync(node, vertex, attributes, cancellationToken);
    }

    private async ValueTask<AccessDecision> StatusUpdateAsync(string node, Vertex vertex, AccessReviewAttributes attributes, CancellationToken cancellationToken) =>
        attributes.Verb is "update" or "patch"
            ? await RelatedAsync(node, vertex, attributes, cancellationToken)
            : Deny("can only get/update/patch this type");

    private async ValueTask<AccessDecision> CreateTokenAsync(string node, AccessReviewAttributes attributes, CancellationToken cancellationToken)
    {
        if (attributes.Verb != "create" || attributes.Name.Length == 0)
        {
            return Deny("can only create tokens for individual service accounts");
        }

        if (attributes.Subresource != "token")
        {
            return Deny("can only create token subresource of serviceaccount");
        }

        return await RelatedAsync(node, Vertex.ServiceAccount, attributes, cancellationToken);
    }

    private static AccessDecision Lease(string node, AccessReviewAttributes attributes)
    {
        if (attributes.Verb is not ("get" or "create" or "update" or "patch" or "delete"))
        {
            return Deny("can only get, create, update, patch, or delete a node lease");
        }

        if (attributes.Namespace != "kube-node-lease")
        {
            return Deny("can only access leases in the \"kube-node-lease\" system namespace");
        }

        return attributes.Verb != "create" && attributes.Name != node
            ? Deny("can only access node lease with the same name as the requesting node")
            : AccessDecision.Allow;
    }

    private static AccessDecision CsiNode(string node, AccessReviewAttributes attributes)
    {
        if (attributes.Verb is not ("get" or "create" or "update" or "patch" or "delete"))
        {
            return Deny("can only get, create, update, patch, or delete a CSINode");
        }

        if (attributes.Subresource.Length > 0)
        {
            return Deny("cannot authorize CSINode subresources");
        }

        return attributes.Verb != "create" && attributes.Name != node
            ? Deny("can only access CSINode with the same name as the requesting node")
            : AccessDecision.Allow;
    }

    private async ValueTask<AccessDecision> ResourceSliceAsync(string node, AccessReviewAttributes attributes, CancellationToken cancellationToken)
    {
        if (attributes.Subresource.Length > 0)
        {
            return Deny("cannot authorize ResourceSlice subresources");
        }

        switch (attributes.Verb)
        {
            case "create":
                return AccessDecision.Allow;
            case "get" or "update" or "patch" or "delete":
                return await RelatedAsync(node, Vertex.Other, attributes, cancellationToken);
            case "watch" or "list" or "deletecollection":
                return attributes.FieldSelector.Any(r => r is { Key: "nodeName", Operator: "In", Values: [var value] } && value == node)
                    ? AccessDecision.Allow
                    : Deny("can only list/watch/deletecollection resourceslices with nodeName field selector");
            default:
                return Deny("only the following verbs are allowed for a ResourceSlice: get, watch, list, create, update, patch, delete, deletecollection");
        }
    }

    /// <summary>The apiserver's <c>authorize</c>: a name is needed, then a relationship between the object and the node.</summary>
    private async ValueTask<AccessDecision> RelatedAsync(string node, Vertex vertex, AccessReviewAttributes attributes, CancellationToken cancellationToken)
    {
        if (attributes.Name.Length == 0)
        {
            return Deny("No Object name found");
        }

        return await HasRelationshipAsync(node, vertex, attributes.Namespace, attributes.Name, cancellationToken)
            ? AccessDecision.Allow
            : Deny($"no relationship found between node '{node}' and this object");
    }

    /// <summary>Whether the object is a pod bound to the node, or is referred to by one.</summary>
    private async ValueTask<bool> HasRelationshipAsync(string node, Vertex vertex, string @namespace, string name, CancellationToken cancellationToken)
    {
        if (vertex == Vertex.Other || catalog.Find("", "v1", "pods") is not { } pods)
        {
            return false;
        }

        if (vertex == Vertex.Pod)
        {
            var (pod, _) = await objects.GetAsync(pods, @namespace, name, 0, cancellationToken);
            return pod is not null && NodeName(Parse(pod)) == node;
        }

        var page = await objects.ListAsync(pods, pods.CollectionPrefix(@namespace), 0, null, 0, null, cancellationToken);
        foreach (var stored in page.Items)
        {
            var pod = Parse(stored);
            if (NodeName(pod) == node && PodReferences.Names(pod, vertex).Contains(name))
            {
                return true;
            }
        }

        return false;
    }

    private static JsonObject Parse(StoredObject stored) => JsonNode.Parse(stored.KeyValue.Value) as JsonObject ?? [];

    private static string? NodeName(JsonObject pod) => (pod["spec"] as JsonObject)?["nodeName"] is JsonValue value && value.TryGetValue<string>(out var name) ? name : null;
}
