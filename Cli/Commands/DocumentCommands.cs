using System.CommandLine;
using Cli.Gateway;

namespace Cli.Commands;

/// <summary>`chatbot documents list|upload|download|delete`: assistants' knowledge files.</summary>
public static class DocumentCommands
{
    public static Command Create(CliHost host) => new("documents", "Knowledge files of your assistants")
    {
        List(host), Upload(host), Download(host), Delete(host),
    };

    private static void Show(Terminal terminal, IReadOnlyList<DocumentInfo> documents, bool json)
    {
        if (json)
        {
            Print.Json(terminal, documents);
        }
        else
        {
            Table(terminal, documents);
        }
    }

    public static void Table(Terminal terminal, IEnumerable<DocumentInfo> documents) =>
        Print.Table(terminal, ["ID", "FILE", "TYPE", "ASSISTANT", "BYTES", "VERSION", "CHUNKS", "UPDATED"],
            documents.Select(d => new[]
            {
                d.Id, d.Filename, d.Type, d.AssistantId, d.Bytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
                d.Version.ToString(System.Globalization.CultureInfo.InvariantCulture),
                d.ChunkCount.ToString(System.Globalization.CultureInfo.InvariantCulture), Print.Time(d.UpdatedAt),
            }));

    private static Command List(CliHost host)
    {
        var assistant = new Option<string?>("--assistant", "-a") { Description = "Only this assistant's files (id or name)" };
        var json = Options.Json();
        var command = new Command("list", "List your knowledge files") { assistant, json };
        command.Handle(host, async (context, cancellationToken) =>
        {
            var assistantId = context.Value(assistant) is { } given ? (await AssistantLookup.FindAsync(context, given, cancellationToken)).Id : null;
            var documents = await context.Documents.ListAsync(assistantId, cancellationToken);
            Show(context.Terminal, documents, context.Value(json));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Upload(CliHost host)
    {
        var files = new Argument<FileInfo[]>("files") { Description = "Files to upload", Arity = ArgumentArity.OneOrMore };
        var assistant = new Option<string>("--assistant", "-a") { Description = "The assistant the files teach (id or name)", Required = true };
        var type = new Option<string>("--type")
        {
            Description = "rag (searched for passages) or prompt (added whole to the instructions)",
            DefaultValueFactory = _ => "rag",
        }.AcceptOnlyFromAmong("rag", "prompt");
        var json = Options.Json();
        var command = new Command("upload", "Upload files to an assistant; a file it has by name is replaced") { files, assistant, type, json };
        command.Handle(host, async (context, cancellationToken) =>
        {
            var found = await AssistantLookup.FindAsync(context, context.Value(assistant), cancellationToken);
            var uploaded = await KnowledgeUpload.UploadAsync(context, found.Id, context.Value(files), context.Value(type), cancellationToken);
            Show(context.Terminal, uploaded, context.Value(json));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Download(CliHost host)
    {
        var id = new Argument<string>("id") { Description = "The document's id (doc_...)" };
        var output = new Option<string?>("--output", "-o") { Description = "Where to write it (default: its own name, here)" };
        var force = new Option<bool>("--force", "-f") { Description = "Overwrite the file if it exists" };
        var command = new Command("download", "Download a document's original file") { id, output, force };
        command.Handle(host, async (context, cancellationToken) =>
        {
            using var response = await context.Documents.DownloadAsync(context.Value(id), cancellationToken);
            await using var content = await response.Content.ReadAsStreamAsync(cancellationToken);
            var target = context.Value(output);
            // Only the name of what the server suggests, never a path it might smuggle in.
            var name = Path.GetFileName(response.Content.Headers.ContentDisposition?.FileNameStar
                ?? response.Content.Headers.ContentDisposition?.FileName?.Trim('"') ?? context.Value(id));
            var path = Path.GetFullPath(target ?? name);
            await using (var file = OutputFile.Create(path, context.Value(force)))
            {
                await content.CopyToAsync(file, cancellationToken);
            }
            context.Terminal.Message($"Saved {path}.");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Delete(CliHost host)
    {
        var ids = new Argument<string[]>("ids") { Description = "Documents to delete (doc_...)", Arity = ArgumentArity.OneOrMore };
        var command = new Command("delete", "Delete documents") { ids };
        command.Handle(host, async (context, cancellationToken) =>
        {
            foreach (var id in context.Value(ids))
            {
                await context.Documents.DeleteAsync(id, cancellationToken);
                context.Terminal.Message($"Deleted {id}.");
            }
            return ExitCodes.Ok;
        });
        return command;
    }
}
