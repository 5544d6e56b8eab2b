namespace ChatService.Model;

public sealed record ChannelRef(string? Id, string? Service);

public sealed record ChannelMessageRequest(ChannelRef? Channel, string? Username, string? Message, string? AssistantId);

public sealed record ChannelMessageResponse(
    string ChatId, string ThreadId, string AssistantId, bool Answered, string? Answer, bool Cached, bool Active, UsageObject Usage)
{
    /// <summary>The answer's status as its thread message has it: completed, or incomplete when cut at its token cap.</summary>
    public string? Status { get; init; }
    public IncompleteDetails? IncompleteDetails { get; init; }
}

public sealed record ChatView(
    string Id, string AssistantId, ChannelRef Channel, string? Username, string ThreadId, bool Active, long CreatedAt, long UpdatedAt)
{
    public static ChatView From(ChatEntity c) =>
        new(c.Id, c.AssistantId, new ChannelRef(c.ChannelId, c.ChannelService), c.Username, c.ThreadId, c.Active, c.CreatedAt, c.UpdatedAt);
}

public sealed record ChatEntryView(
    string Id, string? Username, string Message, string? Response, int TokensIn, int TokensOut, bool Active, bool Cached, long CreatedAt)
{
    public static ChatEntryView From(ChatEntryEntity e) =>
        new(e.Id, e.Username, e.Message, e.Response, e.TokensIn, e.TokensOut, e.Active, e.Cached, e.CreatedAt);
}

public sealed record ChatDetail(ChatView Chat, IReadOnlyList<ChatEntryView> Entries);
