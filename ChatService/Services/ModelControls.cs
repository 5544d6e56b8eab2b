using System.Text.Json;
using ChatService.Providers;
using Microsoft.Extensions.AI;
using ServiceDefaults.Errors;

namespace ChatService.Services;

/// <summary>
/// How hard a reasoning model thinks (OpenAI's `reasoning_effort`, the Responses API's `reasoning.effort`) and how
/// long it answers (`verbosity`, `text.verbosity`), checked and passed to the configured model. The parameter names
/// are the request's own, so a refusal names the field the client sent.
/// </summary>
public sealed record ModelControls(
    string? ReasoningEffort, string? Verbosity, string EffortParam = "reasoning_effort", string VerbosityParam = "verbosity")
{
    /// <summary>The key under which the OpenAI provider finds what Microsoft.Extensions.AI's options cannot say.</summary>
    public const string PropertyKey = "chat-service.model-controls";

    public static readonly string[] Efforts = ["none", "minimal", "low", "medium", "high", "xhigh"];
    public static readonly string[] Verbosities = ["low", "medium", "high"];

    public bool IsEmpty => ReasoningEffort is null && Verbosity is null;

    /// <summary>The controls a request sent, its values checked; null when it sent none.</summary>
    public static ModelControls? Read(
        string? effort, string? verbosity, string effortParam = "reasoning_effort", string verbosityParam = "verbosity")
    {
        if (effort is not null && !Efforts.Contains(effort, StringComparer.Ordinal))
        {
            throw RequestErrors.InvalidValue(effortParam, effort, Efforts);
        }
        if (verbosity is not null && !Verbosities.Contains(verbosity, StringComparer.Ordinal))
        {
            throw RequestErrors.InvalidValue(verbosityParam, verbosity, Verbosities);
        }
        var controls = new ModelControls(effort, verbosity, effortParam, verbosityParam);
        return controls.IsEmpty ? null : controls;
    }

    /// <summary>The request's controls, with an assistant's effort where the request names none (as with its temperature).</summary>
    public static ModelControls? WithDefaultEffort(ModelControls? controls, string? effort) =>
        effort is null || controls?.ReasoningEffort is not null ? controls
        : controls is null ? new ModelControls(effort, null)
        : controls with { ReasoningEffort = effort };

    /// <summary>
    /// The Responses API's `reasoning` ({effort, summary}) and `text.verbosity`. The model is asked through chat
    /// completions, which return no reasoning summaries, so asking for one is refused rather than left unanswered.
    /// </summary>
    public static ModelControls? FromResponses(JsonElement? reasoning, JsonElement? text)
    {
        string? effort = null;
        if (reasoning is { ValueKind: not (JsonValueKind.Object or JsonValueKind.Null) })
        {
            throw Access.BadRequest("reasoning must be an object such as {\"effort\":\"low\"}.", "invalid_type", "reasoning");
        }
        if (reasoning is { ValueKind: JsonValueKind.Object } given)
        {
            foreach (var field in given.EnumerateObject().Where(f => f.Value.ValueKind != JsonValueKind.Null))
            {
                effort = field.Name switch
                {
                    "effort" => StringField(field.Value, "reasoning.effort"),
                    "summary" or "generate_summary" => throw RequestErrors.Unsupported($"reasoning.{field.Name}",
                        "the model is asked through chat completions, which return no reasoning summaries."),
                    _ => throw RequestErrors.UnknownParameter($"reasoning.{field.Name}", "reasoning takes effort."),
                };
            }
        }
        var verbosity = text is { ValueKind: JsonValueKind.Object } t && t.TryGetProperty("verbosity", out var v) && v.ValueKind != JsonValueKind.Null
            ? StringField(v, "text.verbosity") : null;
        return Read(effort, verbosity, "reasoning.effort", "text.verbosity");
    }

    private static string StringField(JsonElement value, string param) => value.ValueKind == JsonValueKind.String
        ? value.GetString()!
        : throw Access.BadRequest($"{param} must be a string.", "invalid_type", param);

    /// <summary>
    /// The built-in offline responder answers by retrieval: it does no reasoning and has one length of answer, so it
    /// takes only what it does anyway (effort "none", verbosity "medium") and refuses the rest, as OpenAI refuses these
    /// on models without them. A configured model is asked, and its own refusal reaches the client.
    /// </summary>
    public void CheckAnswerable(IChatClient model)
    {
        if (model.GetService<OfflineResponder>() is null)
        {
            return;
        }
        if (ReasoningEffort is not (null or "none"))
        {
            throw RequestErrors.Unsupported(EffortParam,
                "no language model is configured, and the built-in responder answers by retrieval without reasoning. "
                + "Configure a reasoning model (ConnectionStrings:openai or OPENAI_BASE_URL) to set an effort.");
        }
        if (Verbosity is not (null or "medium"))
        {
            throw RequestErrors.Unsupported(VerbosityParam,
                "no language model is configured, and the built-in responder's answers have one length. "
                + "Configure a model that takes a verbosity (ConnectionStrings:openai or OPENAI_BASE_URL).");
        }
    }

    /// <summary>
    /// Microsoft.Extensions.AI's own <see cref="ChatOptions.Reasoning"/> carries the efforts it has a level for; the rest
    /// (effort "minimal", any verbosity) travel under <see cref="PropertyKey"/> to the OpenAI provider.
    /// </summary>
    public void ApplyTo(ChatOptions options)
    {
        if (Level(ReasoningEffort) is { } level)
        {
            options.Reasoning = new ReasoningOptions { Effort = level };
        }
        (options.AdditionalProperties ??= [])[PropertyKey] = this;
    }

    /// <summary>The controls <see cref="ApplyTo"/> put on a model call's options, if any.</summary>
    public static ModelControls? Of(ChatOptions? options) =>
        options?.AdditionalProperties?.TryGetValue(PropertyKey, out var value) == true ? value as ModelControls : null;

    /// <summary>
    /// The request's own name for a field the model names as chat completions does (`reasoning_effort` is
    /// `reasoning.effort` to a Responses client), so a relayed refusal names what the client sent.
    /// </summary>
    public static string? ParamAsSent(string? param, ModelControls? controls) => param switch
    {
        "reasoning_effort" when controls is not null => controls.EffortParam,
        "verbosity" when controls is not null => controls.VerbosityParam,
        _ => param,
    };

    private static ReasoningEffort? Level(string? effort) => effort switch
    {
        "none" => Microsoft.Extensions.AI.ReasoningEffort.None,
        "low" => Microsoft.Extensions.AI.ReasoningEffort.Low,
        "medium" => Microsoft.Extensions.AI.ReasoningEffort.Medium,
        "high" => Microsoft.Extensions.AI.ReasoningEffort.High,
        "xhigh" => Microsoft.Extensions.AI.ReasoningEffort.ExtraHigh,
        _ => null,
    };
}
