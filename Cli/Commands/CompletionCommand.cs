using System.CommandLine;

namespace Cli.Commands;

/// <summary>
/// `chatbot completion bash|zsh|fish`: a script that asks chatbot itself for completions through System.CommandLine's
/// [suggest] directive, so completions always match the installed version.
/// </summary>
public static class CompletionCommand
{
    private const string Bash = """
        # chatbot completion for bash: eval "$(chatbot completion bash)"
        _chatbot_complete() {
          local line="${COMP_LINE#* }"
          local position=$(( COMP_POINT - ${#COMP_LINE} + ${#line} ))
          local IFS=$'\n'
          COMPREPLY=( $(compgen -W "$(chatbot "[suggest:${position}]" "${line}" 2>/dev/null)" -- "${COMP_WORDS[COMP_CWORD]}") )
        }
        complete -o default -F _chatbot_complete chatbot
        """;

    private const string Fish = """
        # chatbot completion for fish: chatbot completion fish | source
        complete -c chatbot -f -a '(set -l line (commandline -cp | string replace -r "^\S+\s*" ""); chatbot "[suggest:"(string length -- "$line")"]" "$line" 2>/dev/null)'
        """;

    public static Command Create()
    {
        var shell = new Argument<string>("shell") { Description = "bash, zsh or fish" }.AcceptOnlyFromAmong("bash", "zsh", "fish");
        var command = new Command("completion", "Print a shell completion script (bash, zsh, fish)") { shell };
        command.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            output.WriteLine(parse.GetValue(shell) switch
            {
                "fish" => Fish,
                // zsh runs bash completion functions through bashcompinit.
                "zsh" => "# chatbot completion for zsh: eval \"$(chatbot completion zsh)\"\nautoload -U +X bashcompinit && bashcompinit\n" + Bash,
                _ => Bash,
            });
            return ExitCodes.Ok;
        });
        return command;
    }
}
