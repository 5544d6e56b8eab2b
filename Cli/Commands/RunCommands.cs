using System.CommandLine;
using System.Text;

namespace Cli.Commands;

/// <summary>`chatbot run` (files and an instruction in, the answer to a file or a pipe) and `chatbot ask` (one question).</summary>
public static class RunCommands
{
    public static Command Run(CliHost host)
    {
        var assistant = Options.Assistant();
        var files = new Option<string[]>("--file", "-f")
        {
            Description = "An input text file whose content goes with the instruction (repeatable; - is standard input)",
            DefaultValueFactory = _ => [],
        };
        var text = new Option<string?>("--text", "-t") { Description = "The instruction" };
        var output = new Option<string?>("--output", "-o") { Description = "Write the answer to this file (- is standard output)" };
        var force = OutputFile.Force();
        var command = new Command("run", "Run an assistant on input files and an instruction; reads a pipe, writes only the answer")
        {
            assistant, files, text, output, force,
        };
        command.Handle(host, async (context, cancellationToken) =>
        {
            var terminal = context.Terminal;
            var inputs = context.Value(files);
            // Piped input joins the files unless files were named; `-` names it explicitly.
            if (inputs.Length == 0 && terminal.InputRedirected)
            {
                inputs = ["-"];
            }
            var message = await ComposeAsync(terminal, context.Value(text), inputs, cancellationToken);
            var assistantId = await AssistantLookup.IdAsync(context, context.Value(assistant), cancellationToken);
            if (context.Value(output) is { } path and not "-")
            {
                var target = Path.GetFullPath(path);
                await using (var writer = new StreamWriter(OutputFile.Create(target, context.Value(force)), new UTF8Encoding(false)))
                {
                    await Answers.AskAsync(context, assistantId, message, writer, cancellationToken);
                }
                terminal.Message($"Wrote the answer to {target}.");
            }
            else
            {
                await Answers.AskAsync(context, assistantId, message, terminal.Out, cancellationToken);
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    public static Command Ask(CliHost host)
    {
        var assistant = Options.Assistant();
        var question = new Argument<string?>("question") { Description = "The question (else read from standard input)", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("ask", "Ask an assistant one question; the answer streams to standard output") { assistant, question };
        command.Handle(host, async (context, cancellationToken) =>
        {
            var text = context.Value(question) ?? await context.Terminal.ReadPipedAsync(cancellationToken);
            if (string.IsNullOrWhiteSpace(text))
            {
                throw new CliException("No question: give it as an argument or on standard input.", ExitCodes.Usage);
            }
            var assistantId = await AssistantLookup.IdAsync(context, context.Value(assistant), cancellationToken);
            await Answers.AskAsync(context, assistantId, text.Trim(), context.Terminal.Out, cancellationToken);
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>The instruction first, then each input under its name.</summary>
    private static async Task<string> ComposeAsync(Terminal terminal, string? instruction, string[] inputs, CancellationToken cancellationToken)
    {
        var message = new StringBuilder(instruction?.Trim());
        foreach (var input in inputs)
        {
            var (name, content) = input == "-"
                ? ("standard input", await terminal.In.ReadToEndAsync(cancellationToken))
                : (Path.GetFileName(input), await ReadTextAsync(input, cancellationToken));
            if (string.IsNullOrWhiteSpace(content))
            {
                continue;
            }
            message.Append(message.Length > 0 ? "\n\n" : "").Append($"--- {name} ---\n").Append(content.TrimEnd());
        }
        return message.Length > 0
            ? message.ToString()
            : throw new CliException("Nothing to run: give --text, --file, or pipe the input in.", ExitCodes.Usage);
    }

    private static async Task<string> ReadTextAsync(string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            throw new CliException($"No file '{Path.GetFullPath(path)}'.", ExitCodes.Usage);
        }
        var content = await File.ReadAllTextAsync(path, cancellationToken);
        // Documents such as PDFs are read by document-service: they belong in the assistant's knowledge.
        return content.Contains('\0')
            ? throw new CliException($"'{path}' is not a text file; add it to the assistant's knowledge with `chatbot assistants edit --file`.", ExitCodes.Usage)
            : content;
    }
}
