using System.CommandLine;
using Cli.Gateway;

namespace Cli.Commands;

/// <summary>`chatbot keys create|list|revoke`: API keys for integrations, optionally limited to assistants.</summary>
public static class KeyCommands
{
    public static Command Create(CliHost host) => new("keys", "API keys of your account") { New(host), List(host), Revoke(host) };

    private static Command New(CliHost host)
    {
        var name = new Option<string>("--name") { Description = "What the key is for", Required = true };
        var assistants = new Option<string[]>("--assistant", "-a") { Description = "An assistant the key may use (repeatable; default: all)", DefaultValueFactory = _ => [] };
        var rpm = Options.PerMinute("--rpm", "Requests per minute the key may make");
        var tpm = Options.PerMinute("--tpm", "Tokens per minute the key may use");
        var json = Options.Json();
        var command = new Command("create", "Create an API key; prints the secret, which is shown only once") { name, assistants, rpm, tpm, json };
        command.Handle(host, async (context, cancellationToken) =>
        {
            var ids = new List<string>();
            foreach (var assistant in context.Value(assistants))
            {
                ids.Add((await AssistantLookup.FindAsync(context, assistant, cancellationToken)).Id);
            }
            var created = await context.Keys.CreateAsync(
                new ApiKeyRequest(context.Value(name), ids.Count > 0 ? ids : null, context.Value(rpm), context.Value(tpm)), cancellationToken);
            if (context.Value(json))
            {
                Print.Json(context.Terminal, created);
            }
            else
            {
                context.Terminal.Out.WriteLine(created.Key);
                context.Terminal.Message($"Created {created.Id}; the key above is shown only this once.");
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command List(CliHost host)
    {
        var json = Options.Json();
        var command = new Command("list", "List your API keys (their prefixes, never the secrets)") { json };
        command.Handle(host, async (context, cancellationToken) =>
        {
            var keys = await context.Keys.ListAsync(cancellationToken);
            if (context.Value(json))
            {
                Print.Json(context.Terminal, keys);
                return ExitCodes.Ok;
            }
            Print.Table(context.Terminal, ["ID", "NAME", "PREFIX", "ASSISTANTS", "RPM", "TPM", "CREATED"], keys.Select(k => new[]
            {
                k.Id, k.Name, k.Prefix, k.Assistants is null ? "all" : string.Join(",", k.Assistants),
                k.Rpm?.ToString(System.Globalization.CultureInfo.InvariantCulture), k.Tpm?.ToString(System.Globalization.CultureInfo.InvariantCulture),
                Print.Time(k.CreatedAt),
            }));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Revoke(CliHost host)
    {
        var id = new Argument<string>("id") { Description = "The key's id (key_...)" };
        var command = new Command("revoke", "Revoke an API key at once") { id };
        command.Handle(host, async (context, cancellationToken) =>
        {
            await context.Keys.RevokeAsync(context.Value(id), cancellationToken);
            context.Terminal.Message($"Revoked {context.Value(id)}.");
            return ExitCodes.Ok;
        });
        return command;
    }
}
