using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using ServiceDefaults.Errors;

namespace ServiceDefaults.Identity;

/// <summary>
/// Who is calling, as the gateway vouched for it. <see cref="Assistants"/> is null for a user's own session (all the
/// user's assistants) and the allowed list for an API key. <see cref="Tpm"/> is an API key's tokens-per-minute budget,
/// which chat-service enforces on every model call (docs/contracts.md). Take it as an endpoint parameter: a request
/// without a vouched identity is answered 401 before the handler runs.
/// </summary>
public sealed record CallerIdentity(
    [property: JsonPropertyName("sub")] string UserId,
    [property: JsonPropertyName("key")] string? KeyId = null,
    [property: JsonPropertyName("asst")] IReadOnlyList<string>? Assistants = null,
    [property: JsonPropertyName("name")] string? Name = null,
    [property: JsonPropertyName("tpm")] int? Tpm = null)
{
    public bool CanUseAssistant(string assistantId) => Assistants is null || Assistants.Contains(assistantId, StringComparer.Ordinal);

    public static ValueTask<CallerIdentity> BindAsync(HttpContext context) =>
        ValueTask.FromResult(context.GetCaller()
            ?? throw new ApiException(StatusCodes.Status401Unauthorized, "This route needs an authenticated caller.", "Unauthorized"));
}

public static class CallerIdentityHttpContextExtensions
{
    /// <summary>The vouched caller, or null for an anonymous request.</summary>
    public static CallerIdentity? GetCaller(this HttpContext context) =>
        context.Features.Get<CallerIdentityFeature>()?.Caller;

    internal static void SetCaller(this HttpContext context, CallerIdentity caller) =>
        context.Features.Set(new CallerIdentityFeature(caller));
}

internal sealed record CallerIdentityFeature(CallerIdentity Caller);
