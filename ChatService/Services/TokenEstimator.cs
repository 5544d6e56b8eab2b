namespace ChatService.Services;

/// <summary>
/// No tokenizer package is available here, so token counts are estimated at four characters a token (OpenAI's own
/// rule of thumb for English). Real counts from a provider's usage replace the estimate whenever they arrive.
/// </summary>
public static class TokenEstimator
{
    public static int Count(int characters) => characters <= 0 ? 0 : (characters + 3) / 4;

    public static int Count(string? text) => Count(text?.Length ?? 0);
}
