using DeployGen.Kustomize;
using DeployGen.Manifest;

namespace Deploy.Tests;

/// <summary>deploy/ is what the AppHost's model gives; a hand edit or a changed model shows up as stale.</summary>
public sealed class StalenessTests
{
    private static SortedDictionary<string, string> FromCommittedManifest() =>
        DeployTree.Generate(Platform.From(AspireManifest.Load(Path.Combine(Repo.Deploy, "aspire-manifest.json"))));

    [Fact]
    public void The_committed_tree_is_what_the_committed_manifest_gives()
    {
        var stale = TreeWriter.Differences(Repo.Deploy, FromCommittedManifest());

        Assert.True(stale.Count == 0, $"deploy/ is stale; run deploy/generate.sh. Stale: {string.Join(", ", stale)}");
    }

    [Fact]
    public async Task The_generate_script_finds_the_committed_tree_current()
    {
        var result = await Tool.RunAsync("bash", [Path.Combine(Repo.Deploy, "generate.sh"), "--check"]);

        Assert.True(result.ExitCode == 0, result.Output + result.Error);
    }

    [Fact]
    public void An_edited_an_extra_and_a_missing_file_are_stale_and_writing_the_tree_repairs_them_but_keeps_the_users_secrets()
    {
        var files = FromCommittedManifest();
        var deploy = TestDirectory.Create("deploy-stale-").Path;
        try
        {
            TreeWriter.Write(deploy, files);
            File.AppendAllText(Path.Combine(deploy, "apps", "gateway.env"), "Extra=1\n");
            File.WriteAllText(Path.Combine(deploy, "backing", "old.yaml"), "kind: Leftover\n");
            File.Delete(Path.Combine(deploy, "overlays", "local", "kustomization.yaml"));
            File.WriteAllText(Path.Combine(deploy, "apps", "secrets.env"), "openai=mine\n");

            Assert.Equal(["apps/gateway.env", "backing/old.yaml", "overlays/local/kustomization.yaml"], TreeWriter.Differences(deploy, files));

            TreeWriter.Write(deploy, files);

            Assert.Empty(TreeWriter.Differences(deploy, files));
            Assert.Equal("openai=mine\n", File.ReadAllText(Path.Combine(deploy, "apps", "secrets.env")));
        }
        finally
        {
            TestDirectory.Delete(deploy);
        }
    }
}
