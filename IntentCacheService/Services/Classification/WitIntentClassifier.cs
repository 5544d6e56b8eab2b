using System.Net.Http.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;
using ServiceDefaults.Errors;

namespace IntentCacheService.Services.Classification;

/// <summary>
/// Wit.ai's /message endpoint as the classifier (seed 002 used it). Wit's app holds its own training; an intent it
/// names that the assistant does not define is treated as out of scope, and the assistant's threshold still applies
/// to Wit's confidence.
/// </summary>
public sealed class WitIntentClassifier(HttpClient http, IOptions<IntentCacheOptions> options) : IIntentClassifier
{
    public const string HttpClientName = "wit";

    public string Name => "wit";

    public async ValueTask<IntentClassification> ClassifyAsync(TrainedIntentSet set, string text, CancellationToken cancellationToken)
    {
        var wit = options.Value.Wit;
        var uri = new Uri(
            $"{wit.BaseUrl.TrimEnd('/')}/message?v={Uri.EscapeDataString(wit.ApiVersion)}&q={Uri.EscapeDataString(text)}");
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        request.Headers.Authorization = new("Bearer", wit.Token);
        WitMessage? message;
        try
        {
            using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw new ApiException(StatusCodes.Status502BadGateway, $"Wit.ai answered {(int)response.StatusCode}.", "Bad gateway");
            }
            message = await response.Content.ReadFromJsonAsync<WitMessage>(cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException)
        {
            throw new ApiException(StatusCodes.Status503ServiceUnavailable, "Wit.ai is unreachable.", "Service unavailable");
        }
        catch (System.Text.Json.JsonException)
        {
            throw new ApiException(StatusCodes.Status502BadGateway, "Wit.ai answered with something that is not its JSON.", "Bad gateway");
        }

        var scores = (message?.Intents ?? [])
            .Where(i => i.Name is not null)
            .Select(i => new IntentScore(i.Name!, Math.Clamp(i.Confidence, 0, 1)))
            .OrderByDescending(i => i.Confidence)
            .ToList();
        var best = scores.FirstOrDefault();
        return best is not null && set.ByName.ContainsKey(best.Intent) && best.Confidence >= set.Threshold
            ? new IntentClassification(best.Intent, best.Confidence, scores.Take(4).ToList())
            : new IntentClassification(null, best?.Confidence ?? 0, scores.Take(4).ToList());
    }

    private sealed record WitMessage([property: JsonPropertyName("intents")] List<WitIntent>? Intents);

    private sealed record WitIntent(
        [property: JsonPropertyName("name")] string? Name,
        [property: JsonPropertyName("confidence")] double Confidence);
}
