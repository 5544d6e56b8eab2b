using DeployGen.Manifest;

namespace DeployGen.Kustomize;

/// <summary>
/// Example overlays: local (in-cluster Redis and PostgreSQL, the gateway on a NodePort, images from a local registry)
/// and cloud (an Ingress in front of the gateway), with or without managed Redis and PostgreSQL. The cloud ones leave
/// image names bare (the resource names), for a site's own overlay to point at its registry.
/// </summary>
internal static class Overlays
{
    public const int LocalNodePort = 30080;
    public const string LocalRegistry = "localhost:5000";
    public const string IngressHost = "chatbot.example.com";

    public static IEnumerable<KeyValuePair<string, string>> Generate(Platform platform)
    {
        var entry = platform.Apps.Single(a => a.Name == platform.Entry);
        var entryPort = entry.Http;

        yield return new("components/ingress/kustomization.yaml",
            DeployTree.Kustomization(["ingress.yaml"], kind: "Component"));
        yield return new("components/ingress/ingress.yaml", DeployTree.Header + $"""
            # The only way in: every request reaches the gateway, which authenticates, limits and routes it.
            apiVersion: networking.k8s.io/v1
            kind: Ingress
            metadata:
              name: {entry.Name}
              annotations:
                # Answers stream token by token (SSE): no buffering, and long reads.
                nginx.ingress.kubernetes.io/proxy-buffering: "off"
                nginx.ingress.kubernetes.io/proxy-read-timeout: "3600"
                nginx.ingress.kubernetes.io/proxy-body-size: 64m
            spec:
              rules:
              - host: {IngressHost}
                http:
                  paths:
                  - path: /
                    pathType: Prefix
                    backend:
                      service:
                        name: {entry.Name}
                        port:
                          name: {entryPort.Key}

            """);

        yield return new("overlays/local/kustomization.yaml", DeployTree.Kustomization(["../../apps", "../../backing"], $"""
            patches:
            - target:
                kind: Service
                name: {entry.Name}
              patch: |
                - op: replace
                  path: /spec/type
                  value: NodePort
                - op: add
                  path: /spec/ports/0/nodePort
                  value: {LocalNodePort}
            # Clients reach the gateway's node port directly, with no proxy in front to set X-Forwarded-For: a client
            # could write its own and escape the per-address limits, so the gateway takes the connection's address.
            configMapGenerator:
            - name: {entry.Name}-config
              behavior: merge
              literals:
              - ASPNETCORE_FORWARDEDHEADERS_ENABLED=false
            {LocalImages(platform)}
            """));
        yield return new("overlays/cloud/kustomization.yaml", DeployTree.Kustomization(["../../apps", "../../backing"],
            "components:\n- ../../components/ingress\n"));
        yield return new("overlays/cloud-managed/kustomization.yaml", DeployTree.Kustomization(["../../apps", "../../managed"],
            "components:\n- ../../components/ingress\n"));
    }

    private static string LocalImages(Platform platform) =>
        "images:\n" + string.Concat(platform.Apps.Select(a => $"- name: {a.Name}\n  newName: {LocalRegistry}/{a.Name}\n  newTag: latest\n"));
}
