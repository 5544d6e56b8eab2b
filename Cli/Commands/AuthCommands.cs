using System.CommandLine;
using Spectre.Console;

namespace Cli.Commands;

public static class AuthCommands
{
    public static Command Login(CliHost host)
    {
        var email = new Option<string?>("--email") { Description = "The account's email (asked when missing)" };
        var passwordStdin = new Option<bool>("--password-stdin") { Description = "Read the password from the first line of standard input" };
        var command = new Command("login", "Sign in and keep the session (refreshed as needed) in ~/.config/chatbot, readable by you only")
        {
            email, passwordStdin,
        };
        command.Handle(host, async (context, cancellationToken) =>
        {
            var terminal = context.Terminal;
            var address = context.Value(email) ?? Ask(terminal, "Email:", "pass --email", secret: false);
            var password = context.Value(passwordStdin)
                ? await terminal.In.ReadLineAsync(cancellationToken) ?? ""
                : Ask(terminal, "Password:", "pipe it in with --password-stdin", secret: true);
            Gateway.TokenPair pair;
            try
            {
                pair = await context.Connection.Auth.LoginAsync(address, password, cancellationToken);
            }
            catch (CliException ex) when (ex.ExitCode == ExitCodes.Unauthorized)
            {
                throw new CliException("Login refused: the email or password is wrong.", ExitCodes.Unauthorized);
            }
            context.Tokens.Save(context.Gateway, pair.ToSession(context.Clock));
            terminal.Message($"Logged in to {context.Gateway} as {address}.");
            return ExitCodes.Ok;
        });
        return command;
    }

    public static Command Logout(CliHost host)
    {
        var command = new Command("logout", "Forget the stored session for this gateway");
        command.Handle(host, (context, _) =>
        {
            context.Terminal.Message(context.Tokens.Remove(context.Gateway)
                ? $"Logged out of {context.Gateway}."
                : $"Not logged in to {context.Gateway}.");
            return Task.FromResult(ExitCodes.Ok);
        });
        return command;
    }

    public static Command WhoAmI(CliHost host)
    {
        var json = Options.Json();
        var command = new Command("whoami", "Show the signed-in account") { json };
        command.Handle(host, async (context, cancellationToken) =>
        {
            var me = await context.Connection.Auth.MeAsync(cancellationToken);
            if (context.Value(json))
            {
                Print.Json(context.Terminal, me);
            }
            else
            {
                context.Terminal.Out.WriteLine($"{me.Name} <{me.Email}> ({me.Id})");
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    private static string Ask(Terminal terminal, string question, string otherwise, bool secret)
    {
        if (!terminal.Ui.Profile.Capabilities.Interactive)
        {
            throw new CliException($"No terminal to ask for the {question.TrimEnd(':').ToLowerInvariant()} on: {otherwise}.", ExitCodes.Usage);
        }
        var prompt = new TextPrompt<string>(question);
        return terminal.Ui.Prompt(secret ? prompt.Secret() : prompt);
    }
}
