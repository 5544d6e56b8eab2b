using k8s;
using k8s.Models;

namespace Deploy.Tests;

/// <summary>The committed tree rendered by `kubectl kustomize`, as a user with a filled-in secrets.env would.</summary>
public sealed class RenderTests : IDisposable
{
    private readonly string _deploy = Repo.DeployCopyWithSecrets();

    public void Dispose() => TestDirectory.Delete(_deploy);

    public static TheoryData<string> Overlays => ["local", "cloud", "cloud-managed"];

    private async Task<List<object>> RenderObjectsAsync(string overlay) =>
        KubernetesYaml.LoadAllFromString(await Tool.RenderAsync(_deploy, overlay)).ToList();

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task Every_overlay_renders_every_service_with_its_generated_config_and_secret(string overlay)
    {
        var objects = await RenderObjectsAsync(overlay);

        var deployments = objects.OfType<V1Deployment>().ToList();
        Assert.Equal(["chat-service", "document-service", "gateway", "intent-cache-service", "voice-service"],
            deployments.Select(d => d.Metadata.Name).Order());
        var configMaps = objects.OfType<V1ConfigMap>().Select(c => c.Metadata.Name).ToHashSet();
        var secrets = objects.OfType<V1Secret>().Select(s => s.Metadata.Name).ToHashSet();
        foreach (var container in deployments.Select(d => d.Spec.Template.Spec.Containers.Single()))
        {
            // kustomize renames generated objects with a content hash and must have rewritten every reference.
            Assert.Contains(container.EnvFrom.Single().ConfigMapRef.Name, configMaps);
            Assert.StartsWith($"{container.Name}-config-", container.EnvFrom.Single().ConfigMapRef.Name);
            Assert.All((container.Env ?? []).Where(e => e.ValueFrom?.SecretKeyRef is not null),
                e => Assert.Contains(e.ValueFrom.SecretKeyRef.Name, secrets));
        }
        Assert.Equal(2, objects.OfType<V2HorizontalPodAutoscaler>().Count());
        Assert.Equal(2, objects.OfType<V1PodDisruptionBudget>().Count());
    }

    [Fact]
    public async Task The_local_overlay_runs_redis_and_postgres_inside_and_opens_only_the_gateway_on_a_node_port()
    {
        var objects = await RenderObjectsAsync("local");

        Assert.Equal(["cache", "postgres"], objects.OfType<V1StatefulSet>().Select(s => s.Metadata.Name).Order());
        var services = objects.OfType<V1Service>().ToList();
        Assert.Equal(30080, services.Single(s => s.Spec.Type == "NodePort").Spec.Ports.Single().NodePort);
        Assert.Equal("gateway", services.Single(s => s.Spec.Type == "NodePort").Metadata.Name);
        Assert.Empty(objects.OfType<V1Ingress>());
        Assert.All(objects.OfType<V1Deployment>(), d =>
            Assert.Equal($"localhost:5000/{d.Metadata.Name}:latest", d.Spec.Template.Spec.Containers.Single().Image));
    }

    [Theory]
    [InlineData("local", "false")]
    [InlineData("cloud", "true")]
    [InlineData("cloud-managed", "true")]
    public async Task The_gateway_believes_x_forwarded_for_only_where_an_ingress_writes_it(string overlay, string trusted)
    {
        var objects = await RenderObjectsAsync(overlay);

        var gateway = objects.OfType<V1Deployment>().Single(d => d.Metadata.Name == "gateway").Spec.Template.Spec.Containers.Single();
        var config = objects.OfType<V1ConfigMap>().Single(c => c.Metadata.Name == gateway.EnvFrom.Single().ConfigMapRef.Name);
        Assert.Equal(trusted, config.Data["ASPNETCORE_FORWARDEDHEADERS_ENABLED"]);
        // The merge keeps the rest of the gateway's configuration.
        Assert.Equal("http://chat-service:8080", config.Data["services__chat-service__http__0"]);
    }

    [Fact]
    public async Task The_parameters_secret_holds_what_the_user_wrote_in_secrets_env()
    {
        File.WriteAllText(Path.Combine(_deploy, "apps", "secrets.env"), "identity-signing-key=my-own-key-of-at-least-32-characters\n");

        var secret = (await RenderObjectsAsync("local")).OfType<V1Secret>().Single();

        Assert.StartsWith("parameters-", secret.Metadata.Name);
        Assert.Equal("my-own-key-of-at-least-32-characters", System.Text.Encoding.UTF8.GetString(secret.Data["identity-signing-key"]));
    }

    [Fact]
    public async Task The_cloud_overlay_enters_through_an_ingress_to_the_gateway_and_nothing_else()
    {
        var objects = await RenderObjectsAsync("cloud");

        var ingress = objects.OfType<V1Ingress>().Single();
        Assert.Equal("gateway", ingress.Spec.Rules.Single().Http.Paths.Single().Backend.Service.Name);
        Assert.All(objects.OfType<V1Service>(), s => Assert.Equal("ClusterIP", s.Spec.Type));
    }

    [Fact]
    public async Task The_managed_overlay_swaps_the_stateful_sets_for_names_of_managed_servers()
    {
        var objects = await RenderObjectsAsync("cloud-managed");

        Assert.Empty(objects.OfType<V1StatefulSet>());
        Assert.Equal(["cache", "postgres"], objects.OfType<V1Service>().Where(s => s.Spec.Type == "ExternalName")
            .Select(s => s.Metadata.Name).Order());
    }

    [Fact]
    public async Task A_site_overlay_beside_the_tree_points_images_at_its_registry_names_the_managed_server_and_adds_configuration()
    {
        var site = Path.Combine(_deploy, "overlays", "my-site");
        Directory.CreateDirectory(site);
        File.WriteAllText(Path.Combine(site, "kustomization.yaml"), """
            resources: [../cloud-managed]
            images: [{ name: chat-service, newName: myregistry.io/chat-service, newTag: "1.4" }]
            patches:
            - target: { kind: Service, name: postgres }
              patch: '[{"op": "replace", "path": "/spec/externalName", "value": "mydb.postgres.example.net"}]'
            configMapGenerator:
            - name: document-service-config
              behavior: merge
              literals: [Documents__S3Bucket=my-bucket]
            """);

        var objects = await RenderObjectsAsync("my-site");

        Assert.Equal("myregistry.io/chat-service:1.4", objects.OfType<V1Deployment>().Single(d => d.Metadata.Name == "chat-service")
            .Spec.Template.Spec.Containers.Single().Image);
        Assert.Equal("mydb.postgres.example.net", objects.OfType<V1Service>().Single(s => s.Metadata.Name == "postgres").Spec.ExternalName);
        var documents = objects.OfType<V1Deployment>().Single(d => d.Metadata.Name == "document-service");
        var config = objects.OfType<V1ConfigMap>().Single(c => c.Metadata.Name == documents.Spec.Template.Spec.Containers.Single().EnvFrom.Single().ConfigMapRef.Name);
        Assert.Equal("my-bucket", config.Data["Documents__S3Bucket"]);
        Assert.Equal("http://chat-service:8080", config.Data["services__chat-service__http__0"]);
    }

    [Fact]
    public async Task Without_the_users_secrets_file_kustomize_refuses_and_names_it()
    {
        File.Delete(Path.Combine(_deploy, "apps", "secrets.env"));

        var result = await Tool.RunAsync(Tool.Kubectl, ["kustomize", Path.Combine(_deploy, "overlays", "local")]);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("secrets.env", result.Error);
    }
}
