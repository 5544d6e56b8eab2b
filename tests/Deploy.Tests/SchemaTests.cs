using k8s;
using YamlDotNet.RepresentationModel;

namespace Deploy.Tests;

/// <summary>
/// Rendered objects checked against the Kubernetes API's schemas (kubernetes-models from npm: types, required fields,
/// formats) and against the API's typed models (no field the API does not know, which the schemas let pass).
/// </summary>
public sealed class SchemaTests : IDisposable
{
    private static readonly string Validator = Path.Combine(Repo.Root, "tests", "Deploy.Tests", "validator");
    private readonly string _deploy = Repo.DeployCopyWithSecrets();

    public void Dispose() => TestDirectory.Delete(_deploy);

    public static TheoryData<string> Overlays => ["local", "cloud", "cloud-managed"];

    private static async Task<ToolResult> ValidateAsync(string yaml)
    {
        Assert.True(Directory.Exists(Path.Combine(Validator, "node_modules", "kubernetes-models")),
            $"The schema validator is not installed: run ./test.sh, or npm ci in {Validator}");
        return await Tool.RunAsync(Tool.Node, [Path.Combine(Validator, "validate.mjs")], stdin: yaml);
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task Every_rendered_object_validates_against_the_kubernetes_schemas(string overlay)
    {
        var result = await ValidateAsync(await Tool.RenderAsync(_deploy, overlay));

        Assert.True(result.ExitCode == 0, result.Output + result.Error);
        Assert.Matches(@"^\d+ valid, 0 invalid$", result.Output.Trim().Split('\n')[^1]);
    }

    [Fact]
    public async Task The_schema_check_catches_a_wrong_type_a_missing_field_and_an_unknown_kind()
    {
        var yaml = (await Tool.RenderAsync(_deploy, "cloud"))
            .Replace("replicas: 2", "replicas: two")
            .Replace("containerPort: 8080", "containerPortt: 8080")
            + "---\napiVersion: v1\nkind: Gadget\nmetadata:\n  name: x\n";

        var result = await ValidateAsync(yaml);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("invalid: apps/v1/Deployment gateway: data/spec/replicas must be integer", result.Output);
        Assert.Contains("must have required property containerPort", result.Output);
        Assert.Contains("unknown: v1/Gadget x", result.Output);
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task Every_field_of_every_rendered_object_is_one_the_kubernetes_api_knows(string overlay)
    {
        var unknown = UnknownFields(await Tool.RenderAsync(_deploy, overlay));

        Assert.Empty(unknown);
    }

    [Fact]
    public async Task The_field_check_catches_a_misspelt_field()
    {
        var yaml = (await Tool.RenderAsync(_deploy, "local")).Replace("readOnlyRootFilesystem:", "readOnlyRootFileSystem:");

        Assert.Contains(UnknownFields(yaml), path => path.EndsWith("securityContext.readOnlyRootFileSystem", StringComparison.Ordinal));
    }

    /// <summary>Field paths that do not survive a trip through the client's typed models, which drop unknown fields.</summary>
    private static List<string> UnknownFields(string yaml)
    {
        var documents = Documents(yaml);
        var typed = KubernetesYaml.LoadAllFromString(yaml);
        Assert.Equal(documents.Count, typed.Count);
        var unknown = new List<string>();
        for (var i = 0; i < documents.Count; i++)
        {
            var known = Paths(Documents(KubernetesYaml.Serialize(typed[i]))[0]);
            var original = documents[i];
            var name = $"{((YamlScalarNode)((YamlMappingNode)original)["kind"]).Value}";
            unknown.AddRange(Paths(original).Where(p => !known.Contains(p)).Select(p => $"{name}: {p}"));
        }
        return unknown;
    }

    private static List<YamlNode> Documents(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return stream.Documents.Select(d => d.RootNode).ToList();
    }

    private static HashSet<string> Paths(YamlNode node, string prefix = "")
    {
        var paths = new HashSet<string>(StringComparer.Ordinal);
        switch (node)
        {
            case YamlMappingNode map:
                foreach (var (key, value) in map.Children)
                {
                    var path = prefix.Length == 0 ? $"{key}" : $"{prefix}.{key}";
                    paths.Add(path);
                    paths.UnionWith(Paths(value, path));
                }
                break;
            case YamlSequenceNode list:
                for (var i = 0; i < list.Children.Count; i++)
                {
                    paths.UnionWith(Paths(list.Children[i], $"{prefix}[{i}]"));
                }
                break;
        }
        return paths;
    }
}
