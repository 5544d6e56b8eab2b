using System.Text.Json.Nodes;
using DeployGen.Manifest;
using k8s.Models;

namespace Deploy.Tests;

/// <summary>What DeployGen makes of the fixture manifest, file by file.</summary>
public sealed class GeneratorTests
{
    private static Dictionary<string, string> ConfigOf(SortedDictionary<string, string> tree, string service) =>
        tree[$"apps/{service}.env"].Split('\n')
            .Where(line => line.Length > 0 && !line.StartsWith('#'))
            .Select(line => line.Split('=', 2))
            .ToDictionary(kv => kv[0], kv => kv[1]);

    private static V1Container ContainerOf(SortedDictionary<string, string> tree, string service) =>
        tree.Single<V1Deployment>($"apps/{service}.yaml").Spec.Template.Spec.Containers.Single();

    [Fact]
    public void Bindings_become_the_addresses_of_services_inside_the_cluster()
    {
        var tree = Fixture.Generate();

        var notes = ConfigOf(tree, "notes-service");
        Assert.Equal("http://chat-service:8080", notes["services__chat-service__http__0"]);
        Assert.Equal("8080", notes["HTTP_PORTS"]);
        Assert.Equal("redis:6379", ConfigOf(tree, "gateway")["ConnectionStrings__cache"]);
    }

    [Fact]
    public void A_parameter_with_a_fixed_default_is_plain_configuration()
    {
        var tree = Fixture.Generate();

        Assert.Equal("gpt-4o-mini", ConfigOf(tree, "chat-service")["Chat__Model"]);
    }

    [Fact]
    public void A_value_that_is_exactly_a_secret_parameter_is_read_from_the_parameters_secret()
    {
        var tree = Fixture.Generate();

        var apiKey = ContainerOf(tree, "chat-service").Env.Single(e => e.Name == "Chat__ApiKey");
        Assert.Null(apiKey.Value);
        Assert.Equal(("parameters", "db-password"), (apiKey.ValueFrom.SecretKeyRef.Name, apiKey.ValueFrom.SecretKeyRef.Key));
        Assert.DoesNotContain("Chat__ApiKey", ConfigOf(tree, "chat-service").Keys);
    }

    [Fact]
    public void A_connection_string_holding_a_secret_reads_the_secret_first_and_lets_kubernetes_expand_it()
    {
        var tree = Fixture.Generate();

        var env = ContainerOf(tree, "chat-service").Env.ToList();
        var password = env.FindIndex(e => e.Name == "Parameters__db-password");
        var chatDb = env.FindIndex(e => e.Name == "ConnectionStrings__chatdb");
        Assert.True(password >= 0 && password < chatDb, "the variable must be defined before the value that expands it");
        Assert.Equal("db-password", env[password].ValueFrom.SecretKeyRef.Key);
        Assert.Equal("Host=postgres;Port=5432;Username=postgres;Password=$(Parameters__db-password);Database=chatdb", env[chatDb].Value);
    }

    [Fact]
    public void A_dollar_in_the_text_around_a_parameter_stays_a_dollar()
    {
        var manifest = Fixture.Json();
        manifest.Resources()["chatdb"]!["connectionString"] = "Host=x;Options=$HOME;Password={db-password.value}";

        var chatDb = ContainerOf(Fixture.Generate(manifest), "chat-service").Env.Single(e => e.Name == "ConnectionStrings__chatdb");

        Assert.Equal("Host=x;Options=$$HOME;Password=$(Parameters__db-password)", chatDb.Value);
    }

    [Fact]
    public void Secrets_are_asked_for_in_an_example_file_and_never_written_anywhere()
    {
        var tree = Fixture.Generate();

        Assert.Contains("db-password=change-me\n", tree["apps/secrets.env.example"]);
        Assert.Contains("# used by chat-service, postgres\n", tree["apps/secrets.env.example"]);
        Assert.DoesNotContain("model=", tree["apps/secrets.env.example"]);
        Assert.DoesNotContain(tree.Keys, path => path.EndsWith("secrets.env", StringComparison.Ordinal));
        Assert.Contains("secretGenerator:\n- name: parameters\n  envs:\n  - secrets.env\n", tree["apps/kustomization.yaml"]);
    }

    [Fact]
    public void Every_service_runs_as_a_non_root_user_on_a_read_only_root_with_only_tmp_writable()
    {
        var tree = Fixture.Generate();

        foreach (var service in new[] { "gateway", "chat-service", "notes-service" })
        {
            var pod = tree.Single<V1Deployment>($"apps/{service}.yaml").Spec.Template.Spec;
            var container = pod.Containers.Single();
            Assert.True(pod.SecurityContext.RunAsNonRoot);
            Assert.Equal(1654, pod.SecurityContext.RunAsUser);
            Assert.True(container.SecurityContext.ReadOnlyRootFilesystem);
            Assert.False(container.SecurityContext.AllowPrivilegeEscalation);
            Assert.Equal(["ALL"], container.SecurityContext.Capabilities.Drop);
            Assert.Equal("/tmp", container.VolumeMounts.Single().MountPath);
            Assert.NotNull(pod.Volumes.Single(v => v.Name == container.VolumeMounts.Single().Name).EmptyDir);
        }
    }

    [Fact]
    public void Every_service_is_probed_alive_and_ready_and_has_requests_and_limits()
    {
        var tree = Fixture.Generate();

        foreach (var service in new[] { "gateway", "chat-service", "notes-service" })
        {
            var container = ContainerOf(tree, service);
            Assert.Equal(("/alive", "http"), (container.LivenessProbe.HttpGet.Path, container.LivenessProbe.HttpGet.Port.Value));
            Assert.Equal("/health", container.ReadinessProbe.HttpGet.Path);
            Assert.Equal("/alive", container.StartupProbe.HttpGet.Path);
            Assert.Equal(8080, container.Ports.Single(p => p.Name == "http").ContainerPort);
            Assert.All(new[] { "cpu", "memory" }, r =>
            {
                Assert.True(container.Resources.Requests.ContainsKey(r));
                Assert.True(container.Resources.Limits.ContainsKey(r));
            });
            Assert.Equal($"{service}-config", container.EnvFrom.Single().ConfigMapRef.Name);
        }
    }

    [Fact]
    public void Gateway_and_chat_run_replicated_with_an_autoscaler_and_a_disruption_budget_and_the_rest_run_one()
    {
        var tree = Fixture.Generate();

        foreach (var service in new[] { "gateway", "chat-service" })
        {
            var objects = tree.Objects($"apps/{service}.yaml");
            Assert.Equal(2, objects.OfType<V1Deployment>().Single().Spec.Replicas);
            var autoscaler = objects.OfType<V2HorizontalPodAutoscaler>().Single();
            Assert.Equal((2, service), (autoscaler.Spec.MinReplicas, autoscaler.Spec.ScaleTargetRef.Name));
            Assert.True(autoscaler.Spec.MaxReplicas > 2);
            Assert.Equal("1", objects.OfType<V1PodDisruptionBudget>().Single().Spec.MinAvailable.Value);
        }
        var notes = tree.Objects("apps/notes-service.yaml");
        Assert.Equal(1, notes.OfType<V1Deployment>().Single().Spec.Replicas);
        Assert.Empty(notes.OfType<V2HorizontalPodAutoscaler>());
        Assert.Empty(notes.OfType<V1PodDisruptionBudget>());
    }

    [Fact]
    public void The_document_service_keeps_its_files_on_a_claim_of_its_own_and_is_replaced_rather_than_rolled()
    {
        var manifest = Fixture.Json();
        manifest.Resources()["document-service"] = manifest.Resources()["notes-service"]!.DeepClone();

        var tree = Fixture.Generate(manifest);

        var documents = tree.Single<V1Deployment>("apps/document-service.yaml");
        Assert.Equal("Recreate", documents.Spec.Strategy.Type);
        var claim = tree.Single<V1PersistentVolumeClaim>("apps/document-service.yaml");
        var volume = documents.Spec.Template.Spec.Volumes.Single(v => v.PersistentVolumeClaim is not null);
        Assert.Equal(claim.Metadata.Name, volume.PersistentVolumeClaim.ClaimName);
        Assert.Equal("/app/.data", documents.Spec.Template.Spec.Containers.Single().VolumeMounts.Single(m => m.Name == volume.Name).MountPath);
        var notes = tree.Single<V1Deployment>("apps/notes-service.yaml");
        Assert.Equal(("RollingUpdate", "0"), (notes.Spec.Strategy.Type, notes.Spec.Strategy.RollingUpdate.MaxUnavailable.Value));
        Assert.Empty(tree.Objects("apps/notes-service.yaml").OfType<V1PersistentVolumeClaim>());
    }

    [Fact]
    public void Redis_and_postgres_become_stateful_sets_with_volumes_and_postgres_takes_its_password_from_the_secret()
    {
        var tree = Fixture.Generate();

        var postgres = tree.Single<V1StatefulSet>("backing/postgres.yaml");
        var redis = tree.Single<V1StatefulSet>("backing/redis.yaml");
        Assert.All(new[] { postgres, redis }, set => Assert.Equal("data", set.Spec.VolumeClaimTemplates.Single().Metadata.Name));
        var container = postgres.Spec.Template.Spec.Containers.Single();
        Assert.StartsWith("docker.io/library/postgres:", container.Image);
        Assert.Equal("db-password", container.Env.Single(e => e.Name == "POSTGRES_PASSWORD").ValueFrom.SecretKeyRef.Key);
        Assert.True(container.SecurityContext.ReadOnlyRootFilesystem);
        Assert.StartsWith("docker.io/library/redis:", redis.Spec.Template.Spec.Containers.Single().Image);
        Assert.Equal(5432, tree.Single<V1Service>("backing/postgres.yaml").Spec.Ports.Single().Port);
    }

    [Fact]
    public void A_server_that_carries_its_own_connection_string_is_reached_on_its_images_port_not_the_local_one()
    {
        var manifest = Fixture.Json();
        var redis = manifest.Resources()["redis"]!;
        redis["connectionString"] = "{redis.bindings.tcp.host}:{redis.bindings.tcp.port}";
        redis["bindings"]!["tcp"]!["targetPort"] = 8000;
        manifest.Resources()["gateway"]!["env"]!["ConnectionStrings__cache"] = "{redis.connectionString}";

        var tree = Fixture.Generate(manifest);

        Assert.Equal("redis:6379", ConfigOf(tree, "gateway")["ConnectionStrings__cache"]);
        Assert.Equal(6379, tree.Single<V1Service>("backing/redis.yaml").Spec.Ports.Single().Port);
    }

    [Fact]
    public void Only_the_platforms_own_services_may_connect_to_redis_and_postgres()
    {
        var tree = Fixture.Generate();

        foreach (var server in new[] { "redis", "postgres" })
        {
            var policy = tree.Single<V1NetworkPolicy>($"backing/{server}.yaml");
            Assert.Equal(server, policy.Spec.PodSelector.MatchLabels["app.kubernetes.io/name"]);
            var from = policy.Spec.Ingress.Single().FromProperty.Single().PodSelector.MatchLabels;
            Assert.Equal("app", from["app.kubernetes.io/component"]);
            Assert.Equal("app", tree.Single<V1Deployment>("apps/chat-service.yaml").Spec.Template.Metadata.Labels["app.kubernetes.io/component"]);
        }
    }

    [Fact]
    public void A_postgres_that_no_connection_string_gives_a_password_trusts_the_cluster_network()
    {
        var manifest = Fixture.Json();
        manifest.Resources()["chatdb"]!["connectionString"] = "Host={postgres.bindings.tcp.host};Database=chatdb";

        var env = Fixture.Generate(manifest).Single<V1StatefulSet>("backing/postgres.yaml").Spec.Template.Spec.Containers.Single().Env;

        Assert.Equal("trust", env.Single(e => e.Name == "POSTGRES_HOST_AUTH_METHOD").Value);
        Assert.DoesNotContain(env, e => e.Name == "POSTGRES_PASSWORD");
    }

    [Fact]
    public void Managed_servers_keep_the_service_names_but_resolve_outside_the_cluster()
    {
        var tree = Fixture.Generate();

        var postgres = tree.Single<V1Service>("managed/postgres.yaml");
        Assert.Equal("ExternalName", postgres.Spec.Type);
        Assert.Null(postgres.Spec.Selector);
        Assert.Empty(tree.Objects("managed/redis.yaml").OfType<V1StatefulSet>());
    }

    [Fact]
    public void Only_the_service_with_an_external_endpoint_gets_a_way_in()
    {
        var tree = Fixture.Generate();

        Assert.All(tree.Where(f => f.Key.StartsWith("apps/", StringComparison.Ordinal) && f.Key.EndsWith(".yaml", StringComparison.Ordinal)
                && !f.Key.EndsWith("kustomization.yaml", StringComparison.Ordinal)),
            file => Assert.Equal("ClusterIP", tree.Single<V1Service>(file.Key).Spec.Type));
        Assert.Contains("name: gateway\n", tree["overlays/local/kustomization.yaml"]);
        Assert.Contains("value: NodePort", tree["overlays/local/kustomization.yaml"]);
        Assert.Contains("name: gateway\n", tree["components/ingress/ingress.yaml"]);
    }

    [Fact]
    public void Two_services_facing_the_outside_are_refused()
    {
        var manifest = Fixture.Json();
        manifest.Resources()["notes-service"]!["bindings"]!["http"]!["external"] = true;

        var error = Assert.Throws<ManifestException>(() => Fixture.Generate(manifest));

        Assert.Contains("notes-service, gateway", error.Message);
    }

    [Fact]
    public void An_executable_that_is_neither_redis_nor_postgres_is_refused_by_name()
    {
        var manifest = Fixture.Json();
        manifest.Resources()["mailer"] = new JsonObject { ["type"] = "executable.v0", ["command"] = "sendmail" };

        var error = Assert.Throws<ManifestException>(() => Fixture.Generate(manifest));

        Assert.Contains("\"mailer\" (sendmail)", error.Message);
    }

    [Fact]
    public void A_resource_of_a_kind_it_cannot_deploy_is_refused_rather_than_left_out()
    {
        var manifest = Fixture.Json();
        manifest.Resources()["web"] = new JsonObject { ["type"] = "dockerfile.v0", ["path"] = "web/Dockerfile" };

        var error = Assert.Throws<ManifestException>(() => Fixture.Generate(manifest));

        Assert.Contains("\"web\" is a dockerfile.v0 resource", error.Message);
    }

    [Fact]
    public void A_reference_to_a_resource_the_manifest_lacks_is_named()
    {
        var manifest = Fixture.Json();
        manifest.Resources()["gateway"]!["env"]!["services__ghost__http__0"] = "{ghost.bindings.http.url}";

        var error = Assert.Throws<ManifestException>(() => Fixture.Generate(manifest));

        Assert.Contains("\"ghost\"", error.Message);
    }

    [Fact]
    public void Each_service_image_is_named_after_its_resource_so_overlays_can_point_it_at_a_registry()
    {
        var tree = Fixture.Generate();

        Assert.Equal("chat-service", ContainerOf(tree, "chat-service").Image);
        Assert.Contains("- name: chat-service\n  newName: localhost:5000/chat-service\n", tree["overlays/local/kustomization.yaml"]);
    }
}
