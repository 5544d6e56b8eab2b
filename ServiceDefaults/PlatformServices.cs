namespace ServiceDefaults;

/// <summary>
/// The platform's services by their resource names, which are also their host names for sibling calls
/// (http://chat-service) and the names of their configuration (services__chat-service__http__0). The one list.
/// </summary>
public static class PlatformServices
{
    public const string Gateway = "gateway";
    public const string Chat = "chat-service";
    public const string Documents = "document-service";
    public const string IntentCache = "intent-cache-service";
    public const string Voice = "voice-service";

    /// <summary>Every service the gateway routes to, in the order its /health and /docs list them.</summary>
    public static readonly IReadOnlyList<string> BehindTheGateway = [Chat, Documents, IntentCache, Voice];
}
