using System.Text.Json;
using System.Text.Json.Nodes;
using ChatService.Model;
using Microsoft.Extensions.AI;
using ServiceDefaults.Data;
using AIChatMessage = Microsoft.Extensions.AI.ChatMessage;

namespace ChatService.Services;

/// <summary>
/// Run steps in OpenAI's shapes (step_details as JSON): the message a run created, its file search (results with their
/// content, shown only when include[] asks), its function calls and, once submitted, their outputs. A run continued
/// after submit_tool_outputs reads its calls and outputs back from here.
/// </summary>
public static class RunSteps
{

    public static RunStepEntity New(RunEntity run, string type, string detailsJson, string status = "in_progress") => new()
    {
        Id = Ids.New("step"),
        RunId = run.Id,
        ThreadId = run.ThreadId,
        AssistantId = run.AssistantId,
        Type = type,
        Status = status,
        DetailsJson = detailsJson,
        CreatedAt = Ids.Now(),
    };

    public static string MessageCreation(string messageId) =>
        new JsonObject { ["type"] = "message_creation", ["message_creation"] = new JsonObject { ["message_id"] = messageId } }.ToJsonString();

    public static string FileSearch(string callId, FileSearchSettings settings, IReadOnlyList<FileSearchResult> results) => ToolCalls(new JsonObject
    {
        ["id"] = callId,
        ["type"] = "file_search",
        ["file_search"] = new JsonObject
        {
            ["ranking_options"] = new JsonObject { ["ranker"] = settings.Ranker, ["score_threshold"] = settings.ScoreThreshold },
            ["results"] = new JsonArray([.. results.Select(r => (JsonNode)new JsonObject
            {
                ["file_id"] = r.FileId,
                ["file_name"] = r.Filename,
                ["score"] = r.Score,
                ["content"] = new JsonArray([.. r.Content.Select(c => (JsonNode)new JsonObject { ["type"] = c.Type, ["text"] = c.Text })]),
            })]),
        },
    });

    public static string FunctionCalls(IEnumerable<FunctionCallContent> calls) => ToolCalls([.. calls.Select(c => (JsonNode)new JsonObject
    {
        ["id"] = c.CallId,
        ["type"] = "function",
        ["function"] = new JsonObject { ["name"] = c.Name, ["arguments"] = FunctionArguments.Text(c), ["output"] = null },
    })]);

    public static string RequiredAction(IEnumerable<FunctionCallContent> calls) => new JsonObject
    {
        ["type"] = "submit_tool_outputs",
        ["submit_tool_outputs"] = new JsonObject
        {
            ["tool_calls"] = new JsonArray([.. calls.Select(c => (JsonNode)new JsonObject
            {
                ["id"] = c.CallId,
                ["type"] = "function",
                ["function"] = new JsonObject { ["name"] = c.Name, ["arguments"] = FunctionArguments.Text(c) },
            })]),
        },
    }.ToJsonString();

    /// <summary>A tool_calls step's details before its calls stream in, as a streamed step.created shows them.</summary>
    public static readonly JsonElement NoCalls = JsonSerializer.SerializeToElement(new JsonObject { ["type"] = "tool_calls", ["tool_calls"] = new JsonArray() });

    /// <summary>A step's calls as one thread.run.step.delta carries them: each with its index, file search results left out.</summary>
    public static JsonElement CallsDelta(string detailsJson)
    {
        var details = JsonNode.Parse(detailsJson)!.AsObject();
        var index = 0;
        foreach (var call in details["tool_calls"]!.AsArray().OfType<JsonObject>())
        {
            call.Insert(0, "index", index++);
            call["file_search"]?.AsObject().Remove("results");
        }
        return JsonSerializer.SerializeToElement(details);
    }

    /// <summary>The ids of a function step's calls.</summary>
    public static IReadOnlyList<string> CallIds(string detailsJson) =>
        Calls(detailsJson).Where(c => c["type"]!.GetValue<string>() == "function").Select(c => c["id"]!.GetValue<string>()).ToList();

    public static string WithOutputs(string detailsJson, IReadOnlyDictionary<string, string> outputs)
    {
        var details = JsonNode.Parse(detailsJson)!;
        foreach (var call in details["tool_calls"]!.AsArray())
        {
            if (call!["type"]!.GetValue<string>() == "function" && outputs.TryGetValue(call["id"]!.GetValue<string>(), out var output))
            {
                call["function"]!["output"] = output;
            }
        }
        return details.ToJsonString();
    }

    public static JsonElement WithoutContent(string detailsJson)
    {
        var details = JsonNode.Parse(detailsJson)!;
        if (details["tool_calls"] is JsonArray calls)
        {
            foreach (var results in calls.Select(c => c?["file_search"]?["results"]).OfType<JsonArray>())
            {
                foreach (var result in results.OfType<JsonObject>())
                {
                    result.Remove("content");
                }
            }
        }
        return JsonSerializer.SerializeToElement(details);
    }

    /// <summary>A run's file search results, as it searched them before it stopped for tool outputs.</summary>
    public static IReadOnlyList<FileSearchResult>? FileSearchResults(IEnumerable<RunStepEntity> steps)
    {
        var call = steps.Where(s => s.Type == "tool_calls").SelectMany(s => Calls(s.DetailsJson))
            .FirstOrDefault(c => c["type"]!.GetValue<string>() == "file_search");
        return call?["file_search"]?["results"]?.AsArray().OfType<JsonObject>().Select(r => new FileSearchResult(
            "", r["file_id"]!.GetValue<string>(), r["file_name"]!.GetValue<string>(), r["score"]!.GetValue<double>(), Json.EmptyObject,
            r["content"]!.AsArray().OfType<JsonObject>().Select(c => new FileSearchText(c["type"]!.GetValue<string>(), c["text"]!.GetValue<string>())).ToList()))
            .ToList();
    }

    /// <summary>The calls a run made and the outputs it was given, as the model reads them when the run goes on.</summary>
    public static List<AIChatMessage> FunctionHistory(IEnumerable<RunStepEntity> steps)
    {
        var history = new List<AIChatMessage>();
        foreach (var step in steps.Where(s => s.Type == "tool_calls").OrderBy(s => s.Id, StringComparer.Ordinal))
        {
            var functions = Calls(step.DetailsJson).Where(c => c["type"]!.GetValue<string>() == "function").ToList();
            if (functions.Count == 0)
            {
                continue;
            }
            history.Add(new AIChatMessage(ChatRole.Assistant, [.. functions.Select(c => (AIContent)new FunctionCallContent(
                c["id"]!.GetValue<string>(), c["function"]!["name"]!.GetValue<string>(),
                FunctionArguments.Parse(c["function"]!["arguments"]!.GetValue<string>())))]));
            history.Add(new AIChatMessage(ChatRole.Tool, [.. functions.Select(c => (AIContent)new FunctionResultContent(
                c["id"]!.GetValue<string>(), c["function"]!["output"]?.GetValue<string>() ?? ""))]));
        }
        return history;
    }

    private static string ToolCalls(params JsonNode[] calls) =>
        new JsonObject { ["type"] = "tool_calls", ["tool_calls"] = new JsonArray(calls) }.ToJsonString();

    private static IEnumerable<JsonObject> Calls(string detailsJson) =>
        JsonNode.Parse(detailsJson)?["tool_calls"]?.AsArray().OfType<JsonObject>() ?? [];
}
