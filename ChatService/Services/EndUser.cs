using Microsoft.Extensions.AI;

namespace ChatService.Services;

/// <summary>
/// Who a request says it asks for (`user`, `safety_identifier`), passed to the configured model as sent: an operator's
/// provider then sees abuse per end user instead of all of it as the platform's. It does not shape the answer, so a
/// cached answer still serves a request that names one.
/// </summary>
public sealed record EndUser(string? User, string? SafetyIdentifier)
{
    /// <summary>The key under which the OpenAI provider finds it; Microsoft.Extensions.AI's options have no field for it.</summary>
    public const string PropertyKey = "chat-service.end-user";

    /// <summary>The end user a request named; null when it named none.</summary>
    public static EndUser? Read(string? user, string? safetyIdentifier)
    {
        var named = new EndUser(NullIfEmpty(user), NullIfEmpty(safetyIdentifier));
        return named is { User: null, SafetyIdentifier: null } ? null : named;
    }

    public void ApplyTo(ChatOptions options) => (options.AdditionalProperties ??= [])[PropertyKey] = this;

    /// <summary>The end user <see cref="ApplyTo"/> put on a model call's options, if any.</summary>
    public static EndUser? Of(ChatOptions? options) =>
        options?.AdditionalProperties?.TryGetValue(PropertyKey, out var value) == true ? value as EndUser : null;

    private static string? NullIfEmpty(string? text) => string.IsNullOrEmpty(text) ? null : text;
}
