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
        var command = new Command("logout", "End the session on the gateway and forget it here");
        command.Handle(host, async (context, cancellationToken) =>
        {
            var gateway = context.Gateway;
            if (context.Tokens.Get(gateway) is not { } session)
            {
                context.Terminal.Message($"Not logged in to {gateway}.");
                return ExitCodes.Ok;
            }
            // Best effort: a gateway that is down or refuses still leaves this machine logged out.
            CliException? notEnded = null;
            try
            {
                await context.Connection.Auth.LogoutAsync(session.RefreshToken, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException && ChatbotCli.Explain(ex, context) is { } failure)
            {
                notEnded = failure;
            }
            context.Tokens.Remove(gateway);
            context.Terminal.Message(notEnded switch
            {
                null => $"Logged out of {gateway}.",
                { ExitCode: ExitCodes.Unreachable } =>
                    $"Logged out of {gateway} on this machine; the gateway could not be reached to end the session there, so its refresh token stays valid until it expires.",
                _ => $"Logged out of {gateway} on this machine; the gateway did not end the session there ({notEnded.Message}).",
            });
            return ExitCodes.Ok;
        });
        return command;
    }

    public static Command WhoAmI(CliHost host)
    {
        var json = Options.Json();
        var command = new Command("whoami", "Show the signed-in account") { json };
        command.Handle(host, async (context, cancellationToken) =>
        {
            if (context.ApiKey is { } key)
            {
                // A key belongs to no account session the gateway could describe; what it can use is what it is for.
                var prefix = key[..Math.Min(key.Length, 10)];
                var usable = new List<Gateway.KeyAssistant>();
                await foreach (var assistant in context.Assistants.GetAssistantsAsync(cancellationToken: cancellationToken))
                {
                    usable.Add(new(assistant.Id, assistant.Name));
                }
                if (context.Value(json))
                {
                    Print.Json(context.Terminal, new Gateway.KeyIdentity("api_key", prefix, usable));
                }
                else
                {
                    var names = usable.Count == 0 ? "no assistant" : string.Join(", ", usable.Select(a => $"{a.Name ?? "(no name)"} ({a.Id})"));
                    context.Terminal.Out.WriteLine($"API key {prefix}… (CHATBOT_API_KEY); it can use {names}");
                }
                return ExitCodes.Ok;
            }
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
