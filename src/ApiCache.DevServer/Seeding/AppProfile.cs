using System.Security.Cryptography;
using System.Text;

namespace ApiCache.DevServer.Seeding;

/// <summary>
/// The pod template of one kind of seeded workload: its app and tier labels and its one container
/// (image, ports, environment, resources, probe, volumes), modelled on common real workloads.
/// </summary>
internal sealed record AppProfile
{
    /// <summary>The templates, in the order workloads of a namespace use them.</summary>
    public static IReadOnlyList<AppProfile> All { get; } =
    [
        new()
        {
            App = "web", Tier = "frontend", Container = "nginx", Image = "nginx:1.27.3", ImageReference = "docker.io/library/nginx:1.27.3",
            Ports = [("http", 8080)], Env = [("LOG_LEVEL", "info")], FieldEnv = [("POD_NAME", "metadata.name")],
            CpuRequest = "100m", MemoryRequest = "128Mi", MemoryLimit = "256Mi",
            ProbePath = "/healthz", ProbePort = "http", Liveness = true, ConfigMountPath = "/etc/nginx/conf.d",
        },
        new()
        {
            App = "api", Tier = "backend", Container = "api", Image = "ghcr.io/example/api:2.4.1", ImageReference = "ghcr.io/example/api:2.4.1",
            Ports = [("http", 8080), ("metrics", 9090)], Env = [("DB_HOST", "postgres")], FieldEnv = [("POD_NAME", "metadata.name")],
            CpuRequest = "250m", MemoryRequest = "256Mi", CpuLimit = "1", MemoryLimit = "512Mi",
            ProbePath = "/readyz", ProbePort = "http", ConfigMountPath = "/etc/app", Metrics = true, RunAsNonRoot = true,
        },
        new()
        {
            App = "worker", Tier = "backend", Container = "worker", Image = "ghcr.io/example/worker:1.9.0", ImageReference = "ghcr.io/example/worker:1.9.0",
            Ports = [], Env = [("QUEUE_URL", "amqp://rabbitmq:5672"), ("CONCURRENCY", "8")],
            FieldEnv = [("POD_NAME", "metadata.name"), ("POD_NAMESPACE", "metadata.namespace")],
            CpuRequest = "500m", MemoryRequest = "512Mi", CpuLimit = "500m", MemoryLimit = "512Mi",
            ConfigMountPath = "/etc/worker", RunAsNonRoot = true, HardenedContainer = true,
        },
        new()
        {
            App = "cache", Tier = "cache", Container = "redis", Image = "redis:7.4.1", ImageReference = "docker.io/library/redis:7.4.1",
            Ports = [("redis", 6379)], Env = [("REDIS_MAXMEMORY", "200mb")],
            CpuRequest = "100m", MemoryRequest = "256Mi", MemoryLimit = "256Mi",
            ProbePort = "redis", Liveness = true, DataMountPath = "/data",
        },
        new()
        {
            App = "gateway", Tier = "frontend", Container = "envoy", Image = "envoyproxy/envoy:v1.31.2", ImageReference = "docker.io/envoyproxy/envoy:v1.31.2",
            Ports = [("http", 8080), ("admin", 9901)], Env = [("ENVOY_LOG_LEVEL", "warn")],
            CpuRequest = "200m", MemoryRequest = "128Mi", MemoryLimit = "512Mi",
            ProbePath = "/ready", ProbePort = "admin", Liveness = true, ConfigMountPath = "/etc/envoy",
        },
        new()
        {
            App = "auth", Tier = "backend", Container = "auth", Image = "ghcr.io/example/auth:3.0.2", ImageReference = "ghcr.io/example/auth:3.0.2",
            Ports = [("http", 8080), ("metrics", 9090)], Env = [("TOKEN_TTL", "15m")], FieldEnv = [("POD_NAME", "metadata.name")],
            CpuRequest = "100m", MemoryRequest = "128Mi", MemoryLimit = "256Mi",
            ProbePath = "/healthz", ProbePort = "http", ConfigMountPath = "/etc/auth", Metrics = true, RunAsNonRoot = true,
        },
        new()
        {
            App = "search", Tier = "backend", Container = "search", Image = "ghcr.io/example/search:5.3.0", ImageReference = "ghcr.io/example/search:5.3.0",
            Ports = [("http", 9200)], Env = [("JAVA_OPTS", "-Xms512m -Xmx512m"), ("DISCOVERY_TYPE", "single-node")],
            CpuRequest = "1", MemoryRequest = "1Gi", CpuLimit = "2", MemoryLimit = "2Gi",
            ProbePath = "/_cluster/health", ProbePort = "http", Liveness = true, DataMountPath = "/usr/share/search/data", RunAsNonRoot = true,
        },
        new()
        {
            App = "storefront", Tier = "frontend", Container = "storefront", Image = "ghcr.io/example/storefront:1.12.4", ImageReference = "ghcr.io/example/storefront:1.12.4",
            Ports = [("http", 3000)], Env = [("NODE_ENV", "production"), ("API_URL", "http://api:8080")], FieldEnv = [("POD_NAME", "metadata.name")],
            CpuRequest = "50m", MemoryRequest = "96Mi", MemoryLimit = "192Mi",
            ProbePath = "/", ProbePort = "http", ConfigMountPath = "/app/config", RunAsNonRoot = true,
        },
    ];

    /// <summary>The <c>app</c> label and the base of the workload names.</summary>
    public required string App { get; init; }

    /// <summary>The <c>tier</c> label.</summary>
    public required string Tier { get; init; }

    /// <summary>The container name.</summary>
    public required string Container { get; init; }

    /// <summary>The image as the pod spec names it.</summary>
    public required string Image { get; init; }

    /// <summary>The fully qualified image the container status reports.</summary>
    public required string ImageReference { get; init; }

    /// <summary>The templates by image size, largest first (the order a kubelet lists node images in).</summary>
    public static IReadOnlyList<AppProfile> ByImageSize { get; } = [.. All.OrderByDescending(p => p.ImageSizeBytes)];

    /// <summary>The container status <c>imageID</c>: the repository at a (made-up, stable) sha256 digest.</summary>
    public string ImageId => field ??= ImageReference[..ImageReference.LastIndexOf(':')] + "@sha256:" + Convert.ToHexStringLower(Digest);

    /// <summary>The image size a node reports: 20-400 MB, stable per image.</summary>
    public long ImageSizeBytes => 20_000_000 + (long)(BitConverter.ToUInt64(Digest) % 380_000_000);

    private byte[] Digest => field ??= SHA256.HashData(Encoding.UTF8.GetBytes(ImageReference));

    /// <summary>Named TCP container ports.</summary>
    public required IReadOnlyList<(string Name, int Port)> Ports { get; init; }

    /// <summary>Literal environment variables.</summary>
    public required IReadOnlyList<(string Name, string Value)> Env { get; init; }

    /// <summary>Environment variables from the downward API: (name, fieldPath).</summary>
    public IReadOnlyList<(string Name, string FieldPath)> FieldEnv { get; init; } = [];

    /// <summary>CPU request.</summary>
    public required string CpuRequest { get; init; }

    /// <summary>Memory request.</summary>
    public required string MemoryRequest { get; init; }

    /// <summary>CPU limit; null for none.</summary>
    public string? CpuLimit { get; init; }

    /// <summary>Memory limit.</summary>
    public required string MemoryLimit { get; init; }

    /// <summary>Readiness/liveness HTTP path; null with a <see cref="ProbePort"/> means a TCP probe.</summary>
    public string? ProbePath { get; init; }

    /// <summary>The named port the probes use; null for no probes.</summary>
    public string? ProbePort { get; init; }

    /// <summary>Has a liveness probe as well as the readiness probe.</summary>
    public bool Liveness { get; init; }

    /// <summary>Where the workload's configmap is mounted; null for none.</summary>
    public string? ConfigMountPath { get; init; }

    /// <summary>Where an emptyDir data volume is mounted; null for none.</summary>
    public string? DataMountPath { get; init; }

    /// <summary>Exposes a <c>metrics</c> port with Prometheus scrape annotations.</summary>
    public bool Metrics { get; init; }

    /// <summary>Runs as a non-root user (pod securityContext).</summary>
    public bool RunAsNonRoot { get; init; }

    /// <summary>The container drops all capabilities and has a read-only root filesystem (container securityContext).</summary>
    public bool HardenedContainer { get; init; }

    /// <summary>Guaranteed when every limit equals its request, else Burstable.</summary>
    public string QosClass => CpuLimit == CpuRequest && MemoryLimit == MemoryRequest ? "Guaranteed" : "Burstable";
}
