namespace DeployGen.Manifest;

/// <summary>Where a manifest binding lives in the cluster: a Service named after the resource.</summary>
public sealed record ClusterEndpoint(string Host, string Scheme, int ServicePort, int ContainerPort)
{
    public string Url => $"{Scheme}://{Host}:{ServicePort}";

    /// <summary>ASP.NET Core container images listen on 8080 unless told otherwise; Aspire leaves it to the publisher.</summary>
    public const int DefaultProjectPort = 8080;
}
