using ServiceDefaults.Errors;

namespace ChatService.Services;

/// <summary>
/// A sibling's part of deleting an assistant. Unlike lookups, it may not be skipped: a sibling that does not confirm
/// makes the delete answer 503, and the assistant stays so the delete can simply be repeated.
/// </summary>
public static class SiblingCleanup
{
    /// <summary>
    /// A sibling this deployment does not run (no service-discovery entry: chat-service on its own) holds nothing to
    /// clean; one that is configured but does not answer is down, and the delete waits for it.
    /// </summary>
    public static bool IsDeployed(IConfiguration configuration, string sibling) =>
        configuration.GetSection($"services:{sibling}").Exists();

    public static async Task SendAsync(HttpClient http, HttpRequestMessage request, string sibling, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                return;
            }
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex is not ApiException)
        {
            // Refused, timed out or circuit open: all mean the same to the caller.
        }
        throw new ApiException(StatusCodes.Status503ServiceUnavailable,
            $"The assistant could not be deleted because {sibling} did not answer; nothing was lost, try again shortly.",
            "Service unavailable", "service_unavailable");
    }
}
