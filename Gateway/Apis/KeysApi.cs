using Gateway.Auth;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Gateway.Apis;

public sealed record ApiKeyList(IReadOnlyList<ApiKeyView> Data);

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

    private static async Task<Ok<ApiKeyList>> ListAsync(HttpContext context, ApiKeyService keys, CancellationToken cancellationToken) =>
        TypedResults.Ok(new ApiKeyList(await keys.ListAsync(AuthApi.RequireSession(context).UserId, cancellationToken)));

    private static async Task<NoContent> RevokeAsync(string id, HttpContext context, ApiKeyService keys, CancellationToken cancellationToken)
    {
        await keys.RevokeAsync(AuthApi.RequireSession(context).UserId, id, cancellationToken);
        return TypedResults.NoContent();
    }
}
