using System.Text.Json;
using ServiceDefaults.Errors;

namespace ChatService.Services;

/// <summary>
/// `include`, OpenAI's list of extra fields to fill in, read the same way wherever it is taken: the Responses family
/// (a body array on create, `include` or `include[]` in the query elsewhere) and run steps. A value outside OpenAI's
/// set is refused as OpenAI refuses it; a value of the set that asks for what the models here cannot give is refused
/// by name; the rest name items this platform never makes, so there is nothing to add and they are taken as they are.
/// </summary>
public static class Includes
{
    public const string FileSearchResults = "file_search_call.results";
    public const string StepSearchContent = "step_details.tool_calls[*].file_search.results[*].content";

    /// <summary>OpenAI's values for responses and conversation items, in the order its reference lists them.</summary>
    public static readonly string[] ResponseValues =
    [
        FileSearchResults, "web_search_call.results", "web_search_call.action.sources", "message.input_image.image_url",
        "computer_call_output.output.image_url", "code_interpreter_call.outputs", "reasoning.encrypted_content", "message.output_text.logprobs",
    ];

    public static readonly string[] RunStepValues = [StepSearchContent];

    /// <summary>Not honoured: no token log probabilities come back from the models here (as `top_logprobs`).</summary>
    private const string Logprobs = "message.output_text.logprobs";

    /// <summary>The values in the query, `include` and `include[]` alike (SDKs write either).</summary>
    public static IReadOnlySet<string> FromQuery(HttpContext context, string[] supported) =>
        Check([.. context.Request.Query["include[]"].Concat(context.Request.Query["include"])], supported);

    /// <summary>The values of a body's `include` (absent or null: none).</summary>
    public static IReadOnlySet<string> FromBody(JsonElement include, string[] supported)
    {
        if (include.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null)
        {
            return Check([], supported);
        }
        if (include.ValueKind != JsonValueKind.Array || include.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.String))
        {
            throw Access.BadRequest("include must be an array of strings.", "invalid_include", "include");
        }
        return Check([.. include.EnumerateArray().Select(e => e.GetString())], supported);
    }

    private static HashSet<string> Check(List<string?> values, string[] supported)
    {
        for (var i = 0; i < values.Count; i++)
        {
            if (!supported.Contains(values[i], StringComparer.Ordinal))
            {
                throw RequestErrors.InvalidValue($"include[{i}]", values[i] ?? "", supported);
            }
            if (values[i] == Logprobs)
            {
                throw RequestErrors.Unsupported($"include[{i}]", $"{Logprobs} (the models here give no token log probabilities).");
            }
        }
        return new HashSet<string>(values!, StringComparer.Ordinal);
    }
}
