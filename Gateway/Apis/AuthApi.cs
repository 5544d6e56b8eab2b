using Gateway.Auth;
using Gateway.Limits;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Microsoft.AspNetCore.Mvc;
using ServiceDefaults.Errors;

namespace Gateway.Apis;

public sealed record RegisterRequest(string? Name, string? Email, string? Password);

public sealed record LoginRequest(string? Email, string? Password);

public sealed record RefreshRequest(string? RefreshToken);

public sealed record UserView(string Id, string Name, string Email, long CreatedAt);

public static class AuthApi
{
    /// <summary>Account requests are small; anything bigger is refused before it is read.</summary>
    public const long MaxBodyBytes = 16 * 1024;

    public static IEndpointRouteBuilder MapAuthApi(this IEndpointRouteBuilder app)
    {
        var auth = app.MapGroup("/auth").WithTags("Auth").WithMetadata(new RequestSizeLimitAttribute(MaxBodyBytes));
        auth.MapPost("/register", RegisterAsync);
        auth.MapPost("/login", LoginAsync);
        auth.MapPost("/refresh", RefreshAsync);
        auth.MapPost("/logout", LogoutAsync);
        auth.MapGet("/me", MeAsync);
        return app;
    }

    private static async Task<Results<Created<UserView>, ValidationProblem>> RegisterAsync(
        RegisterRequest request, AccountService accounts, CancellationToken cancellationToken)
    {
        try
        {
            var user = await accounts.RegisterAsync(request.Name, request.Email, request.Password, cancellationToken);
            return TypedResults.Created("/auth/me", new UserView(user.Id, user.Name, user.Email, user.CreatedAt));
        }
        catch (ValidationException ex)
        {
            return TypedResults.ValidationProblem(ex.Errors);
        }
    }

    /// <summary>
    /// Each attempt holds a place in the account's failure limit, given back when the password was right: guesses at
    /// one account from many addresses stop after a few, and its owner's own logins never count.
    /// </summary>
    private static async Task<Ok<TokenPair>> LoginAsync(
        LoginRequest request, AccountService accounts, ILimitStore limits, IOptions<LimitOptions> options, CancellationToken cancellationToken)
    {
        var limit = options.Value;
        var key = AccountService.NormalizeEmail(request.Email) is { } email ? "login:" + email : null;
        var held = key is null ? default : await limits.TryAcquireAsync(key, limit.LoginFailuresPerAccount, limit.LoginFailureWindow, 1);
        if (key is not null && !held.Allowed)
        {
            throw new ApiException(StatusCodes.Status429TooManyRequests,
                $"Too many wrong passwords for this account; try again in {Math.Ceiling(held.Reset.TotalMinutes)} min.", "Too many requests", "too_many_login_failures")
            {
                RetryAfter = held.Reset,
            };
        }
        try
        {
            var pair = await accounts.LoginAsync(request.Email, request.Password, cancellationToken);
            await GiveBackAsync();
            return TypedResults.Ok(pair);
        }
        catch (Exception ex) when (ex is not ApiException { StatusCode: StatusCodes.Status401Unauthorized })
        {
            await GiveBackAsync();
            throw;
        }

        Task GiveBackAsync() => key is null ? Task.CompletedTask : limits.SettleAsync(key, held.Slot, 1, 0, limit.LoginFailureWindow);
    }

    private static async Task<Ok<TokenPair>> RefreshAsync(RefreshRequest request, AccountService accounts, CancellationToken cancellationToken) =>
        TypedResults.Ok(await accounts.RefreshAsync(request.RefreshToken, cancellationToken));

    /// <summary>Anonymous, as refresh is: the refresh token is the credential, and logging out must work with an expired access token.</summary>
    private static async Task<Results<NoContent, ValidationProblem>> LogoutAsync(
        RefreshRequest request, AccountService accounts, CancellationToken cancellationToken)
    {
        try
        {
            await accounts.LogoutAsync(request.RefreshToken, cancellationToken);
            return TypedResults.NoContent();
        }
        catch (ValidationException ex)
        {
            return TypedResults.ValidationProblem(ex.Errors);
        }
    }

    private static async Task<Ok<UserView>> MeAsync(HttpContext context, AccountService accounts, CancellationToken cancellationToken)
    {
        var caller = RequireSession(context);
        var user = await accounts.FindAsync(caller.UserId, cancellationToken)
            ?? throw new ApiException(StatusCodes.Status401Unauthorized, "The account no longer exists.", "Unauthorized");
        return TypedResults.Ok(new UserView(user.Id, user.Name, user.Email, user.CreatedAt));
    }

    /// <summary>The user's own session: account and key management is not open to API keys.</summary>
    internal static GatewayCaller RequireSession(HttpContext context)
    {
        var caller = context.GetGatewayCaller()
            ?? throw new ApiException(StatusCodes.Status401Unauthorized, "Log in and send the access token as Authorization: Bearer.", "Unauthorized");
        return caller.IsApiKey
            ? throw new ApiException(StatusCodes.Status403Forbidden, "This needs a user's access token, not an API key.", "Forbidden")
            : caller;
    }
}
