namespace ApiCache.Tests.Security.EndToEnd;

/// <summary>
/// The dev API server's policy files of the end-to-end security tests (format:
/// docs/dev-server-security.md): admin in system:masters, alice reading pods in team-a (and, as a
/// developer, configmaps in team-a), node-1 under the Node authorizer, ApiCache's service account
/// allowed to read everything, review tokens and access, and impersonate (users, groups and
/// service accounts in the core group; uids and userextras in authentication.k8s.io, as Kubernetes
/// authorizes them).
/// </summary>
internal static class SecurityPolicyText
{
    /// <summary>ApiCache's own upstream token (its service account).</summary>
    public const string ProxyToken = "apicache-token";

    /// <summary>The policy the tests start with.</summary>
    public static string Initial { get; } = Build(aliceNamespaces: "[team-a]", developersReadConfigMaps: true);

    /// <summary>
    /// The policy after the change: alice may read pods in team-b too (a grant), and developers may
    /// no longer read configmaps in team-a (a revocation).
    /// </summary>
    public static string Changed { get; } = Build(aliceNamespaces: "[team-a, team-b]", developersReadConfigMaps: false);

    private static string Build(string aliceNamespaces, bool developersReadConfigMaps)
    {
        var configMaps = developersReadConfigMaps
            ? """
                - name: developers-configmap-reader
                  groups: [developers]
                  verbs: [get, list, watch]
                  apiGroups: [""]
                  resources: [configmaps]
                  namespaces: [team-a]

              """
            : "";
        return $$"""
            anonymous: true
            nodeAuthorizer: true
            users:
              - name: admin
                uid: admin-uid
                groups: [system:masters]
                tokens: [admin-token]
              - name: alice
                uid: alice-uid
                groups: [developers]
                tokens: [alice-token]
              - name: system:node:node-1
                groups: [system:nodes]
                tokens: [node1-token]
              - name: system:serviceaccount:kube-system:apicache
                uid: apicache-uid
                groups: [system:serviceaccounts, system:serviceaccounts:kube-system]
                tokens: [{{ProxyToken}}]
            rules:
              - name: alice-pod-reader
                users: [alice]
                verbs: [get, list, watch]
                apiGroups: [""]
                resources: [pods]
                namespaces: {{aliceNamespaces}}
            {{configMaps}}  - name: discovery
                groups: [system:authenticated]
                verbs: [get]
                nonResourceURLs: ["/api", "/api/*", "/apis", "/apis/*", "/version", "/openapi/*"]
              - name: apicache-reader
                users: [system:serviceaccount:kube-system:apicache]
                verbs: [get, list, watch]
                apiGroups: ["*"]
                resources: ["*"]
              - name: apicache-reviews
                users: [system:serviceaccount:kube-system:apicache]
                verbs: [create]
                apiGroups: [authentication.k8s.io, authorization.k8s.io]
                resources: [tokenreviews, subjectaccessreviews]
              - name: apicache-impersonator
                users: [system:serviceaccount:kube-system:apicache]
                verbs: [impersonate]
                apiGroups: [""]
                resources: [users, groups, serviceaccounts]
              - name: apicache-impersonator-uids-extra
                users: [system:serviceaccount:kube-system:apicache]
                verbs: [impersonate]
                apiGroups: [authentication.k8s.io]
                resources: [uids, userextras/*]

            """;
    }
}
