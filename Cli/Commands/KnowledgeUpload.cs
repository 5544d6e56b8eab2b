using Cli.Gateway;
using Spectre.Console;

namespace Cli.Commands;

/// <summary>Uploads files to an assistant's knowledge with a progress bar each; a file whose name the assistant already has replaces that document.</summary>
public static class KnowledgeUpload
{
    public static async Task<IReadOnlyList<DocumentInfo>> UploadAsync(
        CliContext context, string assistantId, IReadOnlyList<FileInfo> files, string type, CancellationToken cancellationToken)
    {
        if (files.Count == 0)
        {
            return [];
        }
        foreach (var file in files.Where(f => !f.Exists))
        {
            throw new CliException($"No file '{file.FullName}'.", ExitCodes.Usage);
        }
        var documents = context.Documents;
        var existing = (await documents.ListAsync(assistantId, cancellationToken))
            .GroupBy(d => d.Filename, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First().Id, StringComparer.Ordinal);
        var uploaded = new List<DocumentInfo>();
        await context.Terminal.Ui.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new TransferSpeedColumn())
            .StartAsync(async progress =>
            {
                var tasks = files.Select(f => progress.AddTask(Markup.Escape(f.Name), autoStart: false, maxValue: Math.Max(1, f.Length))).ToList();
                for (var i = 0; i < files.Count; i++)
                {
                    var (file, task) = (files[i], tasks[i]);
                    task.StartTask();
                    var report = new Reporter(sent => task.Value = sent);
                    uploaded.Add(existing.TryGetValue(file.Name, out var id)
                        ? await documents.ReplaceAsync(id, type, file.FullName, report, cancellationToken)
                        : await documents.UploadAsync(assistantId, type, file.FullName, report, cancellationToken));
                    task.Value = task.MaxValue;
                    task.StopTask();
                }
            });
        foreach (var document in uploaded)
        {
            context.Terminal.Message(document.Version > 1
                ? $"{document.Filename}: replaced ({document.Id}, version {document.Version}, {Chunks(document.ChunkCount)})"
                : $"{document.Filename}: added ({document.Id}, {Chunks(document.ChunkCount)})");
        }
        return uploaded;
    }

    private static string Chunks(int count) => count == 1 ? "1 chunk" : $"{count} chunks";

    /// <summary>Reports on the uploading thread: Progress&lt;T&gt; would post late updates after the task completed.</summary>
    private sealed class Reporter(Action<long> report) : IProgress<long>
    {
        public void Report(long value) => report(value);
    }
}
