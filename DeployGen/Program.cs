using DeployGen.Kustomize;
using DeployGen.Manifest;

// DeployGen MANIFEST DEPLOY_DIR [--check]: writes the kustomize tree for an Aspire manifest, or with --check only
// reports whether the committed tree is what the manifest gives (exit 1 and the stale paths if not).
if (args is not [var manifestPath, var deployDir, ..] || args.Skip(2).Any(a => a != "--check"))
{
    Console.Error.WriteLine("usage: DeployGen <aspire-manifest.json> <deploy-dir> [--check]");
    return 2;
}

try
{
    var files = DeployTree.Generate(Platform.From(AspireManifest.Load(manifestPath)));
    if (args.Contains("--check"))
    {
        var stale = TreeWriter.Differences(deployDir, files);
        stale.ToList().ForEach(path => Console.Error.WriteLine($"stale: {path}"));
        return stale.Count == 0 ? 0 : 1;
    }
    TreeWriter.Write(deployDir, files);
    Console.WriteLine($"DeployGen: {files.Count} files under {deployDir}");
    return 0;
}
catch (Exception ex) when (ex is ManifestException or IOException or System.Text.Json.JsonException)
{
    Console.Error.WriteLine($"DeployGen: {ex.Message}");
    return 1;
}
