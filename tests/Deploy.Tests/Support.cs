using System.Diagnostics;
using System.Text.Json.Nodes;
using DeployGen.Kustomize;
using DeployGen.Manifest;
using k8s;

namespace Deploy.Tests;

/// <summary>The fixture manifest (Fixtures/manifest.json), as is or changed by a test for its own case.</summary>
internal static class Fixture
{
    public static JsonObject Json() =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "manifest.json")))!.AsObject();

    public static JsonObject Resources(this JsonObject manifest) => manifest["resources"]!.AsObject();

    public static SortedDictionary<string, string> Generate(JsonObject? manifest = null) =>
        DeployTree.Generate(Platform.From(AspireManifest.Parse((manifest ?? Json()).ToJsonString())));

    /// <summary>The typed Kubernetes objects in one generated file.</summary>
    public static List<object> Objects(this SortedDictionary<string, string> tree, string path) =>
        KubernetesYaml.LoadAllFromString(tree[path]).ToList();

    public static T Single<T>(this SortedDictionary<string, string> tree, string path) =>
        tree.Objects(path).OfType<T>().Single();
}

internal static class Repo
{
    public static string Root { get; } = Find();

    public static string Deploy => Path.Combine(Root, "deploy");

    private static string Find()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Microservices.sln")))
        {
            dir = dir.Parent;
        }
        return dir?.FullName ?? throw new InvalidOperationException("Microservices.sln not found above the test output.");
    }

    /// <summary>A copy of the committed deploy/ with the example secrets filled in, as a user would have it.</summary>
    public static string DeployCopyWithSecrets()
    {
        var copy = TestDirectory.Create("deploy-tests-").Path;
        foreach (var file in Directory.GetFiles(Deploy, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(copy, Path.GetRelativePath(Deploy, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
        File.Copy(Path.Combine(copy, "apps", "secrets.env.example"), Path.Combine(copy, "apps", "secrets.env"), overwrite: true);
        return copy;
    }
}

internal sealed record ToolResult(int ExitCode, string Output, string Error);

internal static class Tool
{
    public static string Kubectl => Binaries.Require("kubectl", "kubectl is preinstalled on this project's machines");

    public static string Node => Binaries.Require("node", "apt-get install -y nodejs");

    public static async Task<ToolResult> RunAsync(string file, IEnumerable<string> args, string? stdin = null, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory ?? Repo.Root,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
        }
        process.StandardInput.Close();
        // Generous: generate.sh may build the AppHost and every service before it publishes the manifest.
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish in 10 minutes.");
        }
        return new ToolResult(process.ExitCode, await output, await error);
    }

    public static async Task<string> RenderAsync(string deployDir, string overlay)
    {
        var result = await RunAsync(Kubectl, ["kustomize", Path.Combine(deployDir, "overlays", overlay)]);
        Assert.True(result.ExitCode == 0, $"kubectl kustomize {overlay} failed: {result.Error}");
        return result.Output;
    }
}
