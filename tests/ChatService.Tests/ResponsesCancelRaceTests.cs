using System.Net;
using System.Text.Json;
using ChatService.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ChatService.Tests;

/// <summary>A cancel that loses to the response's own end: the maker finished first, so there was nothing to cancel.</summary>
public sealed class ResponsesCancelRaceTests
{
    private const string User = "usr_cancel_late";
    private const string Id = "resp_0finishedfirst";

    [Fact]
    public async Task ACancelWhoseResponseCompletesBeforeItsMakerSeesTheRequestIsRefusedAndTheResponseStaysCompleted()
    {
        await using var factory = TestSupport.Service();
        using var client = factory.Client(User);
        await UpdateAsync(factory.Services, async db =>
        {
            // Made on another replica, which holds its lease for ten more minutes.
            db.Responses.Add(new ResponseEntity
            {
                Id = Id, OwnerId = User, Status = "in_progress", Model = "gpt-4o-mini", Background = true, CreatedAt = 1,
                LeaseExpiresAt = DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 600,
            });
            await db.SaveChangesAsync();
        });

        var cancel = client.PostAsync($"/v1/responses/{Id}/cancel", null);
        await Wait.UntilAsync(() => ReadAsync(factory.Services, r => r.CancelRequested), TimeSpan.FromSeconds(30), "the cancel to be requested");
        // The maker's final save, made before it read the request.
        await UpdateAsync(factory.Services, db => db.Responses.Where(r => r.Id == Id)
            .ExecuteUpdateAsync(u => u.SetProperty(r => r.Status, "completed").SetProperty(r => r.LeaseExpiresAt, (long?)null)));
        using var answer = await cancel;
        var status = await ReadAsync(factory.Services, r => r.Status);

        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        var error = JsonDocument.Parse(await answer.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
        Assert.Equal("response_not_cancellable", error.GetProperty("code").GetString());
        Assert.Equal("completed", status);
    }

    private static async Task UpdateAsync(IServiceProvider services, Func<ChatDbContext, Task> change)
    {
        using var scope = services.CreateScope();
        await change(scope.ServiceProvider.GetRequiredService<ChatDbContext>());
    }

    private static async Task<T> ReadAsync<T>(IServiceProvider services, System.Linq.Expressions.Expression<Func<ResponseEntity, T>> value)
    {
        using var scope = services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<ChatDbContext>().Responses.AsNoTracking()
            .Where(r => r.Id == Id).Select(value).SingleAsync();
    }
}
