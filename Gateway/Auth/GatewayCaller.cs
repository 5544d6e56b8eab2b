using ServiceDefaults.Identity;

namespace Gateway.Auth;

/// <summary>
/// Who the gateway authenticated: a user's session (KeyId null) or one of the user's API keys with its scope and limits.
/// </summary>
public sealed record GatewayCaller(string UserId, string? Name, string? KeyId, IReadOnlyList<string>? Assistants, int? Rpm, int? Tpm)
{
    public bool IsApiKey => KeyId is not null;

    public CallerIdentity ToIdentity() => new(UserId, KeyId, Assistants, Name, Tpm);

    public bool CanUseAssistant(string assistantId) => Assistants is null || Assistants.Contains(assistantId, StringComparer.Ordinal);
}

public static class GatewayCallerHttpContextExtensions
{
    public static GatewayCaller? GetGatewayCaller(this HttpContext context) => context.Features.Get<GatewayCaller>();

    public static void SetGatewayCaller(this HttpContext context, GatewayCaller caller) => context.Features.Set(caller);
}
