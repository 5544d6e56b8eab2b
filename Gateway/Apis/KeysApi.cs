using Gateway.Auth;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using ServiceDefaults.Lists;

namespace Gateway.Apis;

public sealed record ApiKeyList(IReadOnlyList<ApiKeyView> Data, string? FirstId, string? LastId, bool HasMore)
{
    public string Object => "list";
}

public static class KeysApi
{
    public static IEndpointRouteBuilder MapKeysApi(this IEndpointRouteBuilder app)
    {
        var keys = app.MapGroup("/api/keys").WithTags("API keys").WithMetadata(new RequestSizeLimitAttribute(AuthApi.MaxBodyBytes));
        keys.MapPost("/", CreateAsync);
        keys.MapGet("/", ListAsync);
        keys.MapDelete("/{id}", RevokeAsync);
        return app;
    }

    private static async Task<Results<Created<CreatedApiKey>, ValidationProblem>> CreateAsync(
        CreateApiKeyRequest request, HttpContext context, ApiKeyService keys, CancellationToken cancellationToken)
    {
        var caller = AuthApi.RequireSession(context);
        try
        {
            var created = await keys.CreateAsync(caller, request, cancellationToken);
            return TypedResults.Created($"/api/keys/{created.Id}", created);
        }
        catch (ValidationException ex)
        {
            return TypedResults.ValidationProblem(ex.Errors);
        }
    }

    /// <summary>Pages as every list does (<see cref="ListQuery"/>: `limit` 1..100, default 20, newest first).</summary>
    private static async Task<Ok<ApiKeyList>> ListAsync(
        HttpContext context, ApiKeyService keys, CancellationToken cancellationToken,
        int? limit = null, string? order = null, string? after = null, string? before = null)
    {
        var session = AuthApi.RequireSession(context);
        var list = ListQuery.Read(limit, order, after, before, maxLimit: 100);
        var (page, hasMore) = list.PageOf(await keys.ListAsync(session.UserId, cancellationToken), k => k.Id, k => k.CreatedAt);
        return TypedResults.Ok(new ApiKeyList(page, page.FirstOrDefault()?.Id, page.LastOrDefault()?.Id, hasMore));
    }

    private static async Task<NoContent> RevokeAsync(string id, HttpContext context, ApiKeyService keys, CancellationToken cancellationToken)
    {
        await keys.RevokeAsync(AuthApi.RequireSession(context).UserId, id, cancellationToken);
        return TypedResults.NoContent();
    }
}
