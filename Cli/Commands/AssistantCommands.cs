using System.CommandLine;
using OpenAI.Assistants;

namespace Cli.Commands;

/// <summary>`chatbot assistants list|show|create|edit|delete`.</summary>
public static class AssistantCommands
{
    private static readonly string[] Tools = ["file_search", "code_interpreter"];

    public static Command Create(CliHost host) => new("assistants", "Manage assistants: model, instructions, knowledge files and tools")
    {
        List(host), Show(host), New(host), Edit(host), Delete(host),
    };

    private static Command List(CliHost host)
    {
        var json = Options.Json();
        var command = new Command("list", "List your assistants") { json };
        command.Handle(host, async (context, cancellationToken) =>
        {
            var assistants = new List<Assistant>();
            await foreach (var assistant in context.Assistants.GetAssistantsAsync(
                new AssistantCollectionOptions { Order = AssistantCollectionOrder.Ascending }, cancellationToken))
            {
                assistants.Add(assistant);
            }
            if (context.Value(json))
            {
                Print.Models(context.Terminal, assistants);
            }
            else
            {
                Print.Table(context.Terminal, ["ID", "NAME", "MODEL", "TOOLS", "CREATED"],
                    assistants.Select(a => new[] { a.Id, a.Name, a.Model, ToolNames(a), Print.Time(a.CreatedAt) }));
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Show(CliHost host)
    {
        var assistantArgument = Options.Assistant();
        var json = Options.Json();
        var command = new Command("show", "Show an assistant and its knowledge files") { assistantArgument, json };
        command.Handle(host, async (context, cancellationToken) =>
        {
            var assistant = await AssistantLookup.FindAsync(context, context.Value(assistantArgument), cancellationToken);
            if (context.Value(json))
            {
                Print.Model(context.Terminal, assistant);
                return ExitCodes.Ok;
            }
            var documents = await context.Documents.ListAsync(assistant.Id, cancellationToken);
            var output = context.Terminal.Out;
            output.WriteLine($"id:           {assistant.Id}");
            output.WriteLine($"name:         {assistant.Name}");
            output.WriteLine($"model:        {assistant.Model}");
            output.WriteLine($"tools:        {ToolNames(assistant)}");
            output.WriteLine($"created:      {Print.Time(assistant.CreatedAt)}");
            output.WriteLine($"instructions: {assistant.Instructions}");
            output.WriteLine($"files:        {documents.Count}");
            if (documents.Count > 0)
            {
                DocumentCommands.Table(context.Terminal, documents);
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command New(CliHost host)
    {
        var name = new Argument<string>("name") { Description = "The assistant's name" };
        var settings = new Settings(creating: true);
        var command = new Command("create", "Create an assistant, uploading its knowledge files");
        command.Add(name);
        settings.AddTo(command);
        command.Handle(host, async (context, cancellationToken) =>
        {
            var options = new AssistantCreationOptions { Name = context.Value(name), Instructions = settings.Instructions(context) };
            foreach (var tool in settings.ToolDefinitions(context) ?? [])
            {
                options.Tools.Add(tool);
            }
            Assistant assistant = await context.Assistants.CreateAssistantAsync(context.Value(settings.Model)!, options, cancellationToken);
            await KnowledgeUpload.UploadAsync(context, assistant.Id, context.Value(settings.Files), context.Value(settings.FileType), cancellationToken);
            context.Terminal.Out.WriteLine(assistant.Id);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Edit(CliHost host)
    {
        var assistantArgument = Options.Assistant();
        var name = new Option<string?>("--name") { Description = "A new name" };
        var settings = new Settings(creating: false);
        var command = new Command("edit", "Change an assistant; --file adds files and replaces those of the same name") { assistantArgument, name };
        settings.AddTo(command);
        command.Handle(host, async (context, cancellationToken) =>
        {
            var assistant = await AssistantLookup.FindAsync(context, context.Value(assistantArgument), cancellationToken);
            var options = new AssistantModificationOptions
            {
                Name = context.Value(name),
                Model = context.Value(settings.Model),
                Instructions = settings.Instructions(context),
            };
            if (settings.ToolDefinitions(context) is { } tools)
            {
                foreach (var tool in tools)
                {
                    options.DefaultTools.Add(tool);
                }
            }
            await context.Assistants.ModifyAssistantAsync(assistant.Id, options, cancellationToken);
            await KnowledgeUpload.UploadAsync(context, assistant.Id, context.Value(settings.Files), context.Value(settings.FileType), cancellationToken);
            context.Terminal.Out.WriteLine(assistant.Id);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Delete(CliHost host)
    {
        var assistantArgument = Options.Assistant();
        var command = new Command("delete", "Delete an assistant and its knowledge files (threads stay)") { assistantArgument };
        command.Handle(host, async (context, cancellationToken) =>
        {
            var assistant = await AssistantLookup.FindAsync(context, context.Value(assistantArgument), cancellationToken);
            // Documents first: document-service asks chat-service whether the assistant is the caller's.
            var documents = await context.Documents.ListAsync(assistant.Id, cancellationToken);
            foreach (var document in documents)
            {
                await context.Documents.DeleteAsync(document.Id, cancellationToken);
            }
            await context.Assistants.DeleteAssistantAsync(assistant.Id, cancellationToken);
            context.Terminal.Message($"Deleted {assistant.Id} ({assistant.Name}) and {documents.Count} file(s).");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static string ToolNames(Assistant assistant) => string.Join(",", assistant.Tools.Select(t => t switch
    {
        FileSearchToolDefinition => "file_search",
        CodeInterpreterToolDefinition => "code_interpreter",
        FunctionToolDefinition function => function.FunctionName,
        _ => "other",
    }));

    /// <summary>The options create and edit share.</summary>
    private sealed class Settings
    {
        public Settings(bool creating)
        {
            Model = new Option<string?>("--model", "-m") { Description = "The model to answer with (a name the configured LLM knows)" };
            if (creating)
            {
                Model.DefaultValueFactory = _ => "gpt-4o-mini";
            }
            Files.Validators.Add(result =>
            {
                if (result.GetValueOrDefault<FileInfo[]>() is { } files && files.FirstOrDefault(f => !f.Exists) is { } missing)
                {
                    result.AddError($"No file '{missing.FullName}'.");
                }
            });
            Tools.AcceptOnlyFromAmong(AssistantCommands.Tools);
        }

        public Option<string?> Model { get; }

        public Option<string?> InstructionsText { get; } = new("--instructions", "-i") { Description = "The assistant's instructions" };

        public Option<FileInfo?> InstructionsFile { get; } = new("--instructions-file") { Description = "Read the instructions from this file" };

        public Option<FileInfo[]> Files { get; } = new("--file", "-f")
        {
            Description = "A knowledge file to upload (repeatable); one the assistant has by name is replaced",
            DefaultValueFactory = _ => [],
        };

        public Option<string> FileType { get; } = new Option<string>("--file-type")
        {
            Description = "How the files are used: rag (searched for passages) or prompt (added whole to the instructions)",
            DefaultValueFactory = _ => "rag",
        }.AcceptOnlyFromAmong("rag", "prompt");

        public Option<string[]> Tools { get; } = new("--tool", "-t") { Description = "A tool the assistant has (repeatable): file_search, code_interpreter" };

        public void AddTo(Command command)
        {
            foreach (var option in new Option[] { Model, InstructionsText, InstructionsFile, Files, FileType, Tools })
            {
                command.Add(option);
            }
        }

        public string? Instructions(CliContext context)
        {
            var text = context.Parse.GetValue(InstructionsText);
            var file = context.Parse.GetValue(InstructionsFile);
            return (text, file) switch
            {
                (not null, not null) => throw new CliException("Give --instructions or --instructions-file, not both.", ExitCodes.Usage),
                (null, { Exists: false }) => throw new CliException($"No file '{file.FullName}'.", ExitCodes.Usage),
                (null, not null) => File.ReadAllText(file.FullName),
                _ => text,
            };
        }

        /// <returns>The tools to set, or null to leave them as they are.</returns>
        public IReadOnlyList<ToolDefinition>? ToolDefinitions(CliContext context)
        {
            var names = context.Parse.GetValue(Tools) ?? [];
            return names.Length == 0 ? null : names.Distinct().Select(name => name switch
            {
                "file_search" => (ToolDefinition)new FileSearchToolDefinition(),
                _ => new CodeInterpreterToolDefinition(),
            }).ToList();
        }
    }
}
