using System.ClientModel;
using OpenAI.Assistants;

namespace Cli.Commands;

/// <summary>Finds an assistant by id or by its exact name (ignoring case), so people can type what they see.</summary>
public static class AssistantLookup
{
    /// <summary>
    /// The id to run: an id as given, unchecked, so that an ask costs one request of a key's rate (an unknown id is the
    /// run's own 404); a name is looked up.
    /// </summary>
    public static async Task<string> IdAsync(CliContext context, string idOrName, CancellationToken cancellationToken) =>
        idOrName.StartsWith("asst_", StringComparison.Ordinal) ? idOrName : (await FindAsync(context, idOrName, cancellationToken)).Id;

    public static async Task<Assistant> FindAsync(CliContext context, string idOrName, CancellationToken cancellationToken)
    {
        if (idOrName.StartsWith("asst_", StringComparison.Ordinal))
        {
            try
            {
                return await context.Assistants.GetAssistantAsync(idOrName, cancellationToken);
            }
            catch (ClientResultException ex) when (ex.Status == 404)
            {
                throw Unknown(idOrName);
            }
        }
        var matches = new List<Assistant>();
        await foreach (var assistant in context.Assistants.GetAssistantsAsync(cancellationToken: cancellationToken))
        {
            if (string.Equals(assistant.Name, idOrName, StringComparison.OrdinalIgnoreCase))
            {
                matches.Add(assistant);
            }
        }
        return matches.Count switch
        {
            1 => matches[0],
            0 => throw Unknown(idOrName),
            _ => throw new CliException(
                $"{matches.Count} assistants are named '{idOrName}' ({string.Join(", ", matches.Select(a => a.Id))}); use the id.", ExitCodes.Usage),
        };
    }

    private static CliException Unknown(string idOrName) =>
        new($"No assistant '{idOrName}' among yours; `chatbot assistants list` shows them.", ExitCodes.NotFound);
}
