using Spectre.Console;

namespace Cli;

/// <summary>
/// Where a command reads and writes. Out carries the command's result only (an answer, a table, JSON), so commands
/// compose in pipes; Ui (standard error) carries prompts, progress and messages.
/// </summary>
public sealed class Terminal(
    TextReader input, TextWriter output, TextWriter error, IAnsiConsole outConsole, IAnsiConsole ui, bool inputRedirected, bool outputRedirected)
{
    /// <summary>Wide enough that ids in tables never wrap when nobody's terminal sets the width.</summary>
    private const int WideTable = 200;

    public TextReader In { get; } = input;

    public TextWriter Out { get; } = output;

    public TextWriter Error { get; } = error;

    /// <summary>Tables and other rich output for standard output.</summary>
    public IAnsiConsole OutConsole { get; } = outConsole;

    public IAnsiConsole Ui { get; } = ui;

    public bool InputRedirected { get; } = inputRedirected;

    public bool OutputRedirected { get; } = outputRedirected;

    public static Terminal FromProcess()
    {
        var stdout = Console.Out;
        var outConsole = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(stdout) });
        if (Console.IsOutputRedirected)
        {
            outConsole.Profile.Width = WideTable;
        }
        var ui = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        return new Terminal(Console.In, stdout, Console.Error, outConsole, ui, Console.IsInputRedirected, Console.IsOutputRedirected);
    }

    /// <summary>A plain terminal over the given streams, as a pipe sees it: no colours, no animation.</summary>
    public static Terminal Plain(TextReader input, TextWriter output, TextWriter error) =>
        new(input, output, error, PlainConsole(output), PlainConsole(error), inputRedirected: true, outputRedirected: true);

    private static IAnsiConsole PlainConsole(TextWriter writer)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        console.Profile.Width = WideTable;
        return console;
    }

    /// <summary>All of standard input when it is a pipe or a file; nothing when it is the keyboard, so nobody waits on it unknowingly.</summary>
    public async Task<string> ReadPipedAsync(CancellationToken cancellationToken) =>
        InputRedirected ? await In.ReadToEndAsync(cancellationToken) : "";

    /// <summary>A note on standard error, unwrapped so that logs and tests see whole lines.</summary>
    public void Message(string text) => Error.WriteLine(text);

    public void Fail(string text) => Error.WriteLine("error: " + text);

    /// <summary>Something the user must know about a result that still succeeded.</summary>
    public void Warn(string text) => Error.WriteLine("warning: " + text);
}
