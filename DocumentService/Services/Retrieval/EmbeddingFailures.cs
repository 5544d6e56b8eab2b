using System.ClientModel;
using ServiceDefaults.Errors;

namespace DocumentService.Services.Retrieval;

/// <summary>
/// A configured embeddings endpoint that fails is the far end's fault, not the client's and not ours: 503 with a
/// clear message instead of a 500. Nothing is stored by then, since embedding happens before any write.
/// </summary>
public static class EmbeddingFailures
{
    public static async Task<T> GuardAsync<T>(Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        // Also a connection refused or reset however wrapped: it is the embeddings endpoint down, not one of our stores.
        catch (Exception ex) when (ex is ClientResultException or HttpRequestException or IOException || HasSocketFailure(ex))
        {
            throw new ApiException(StatusCodes.Status503ServiceUnavailable,
                "The embeddings endpoint failed; try again shortly.", "Service unavailable", "embeddings_unavailable", ex);
        }
    }

    private static bool HasSocketFailure(Exception ex)
    {
        for (var current = ex.InnerException; current is not null; current = current.InnerException)
        {
            if (current is System.Net.Sockets.SocketException or HttpRequestException)
            {
                return true;
            }
        }
        return false;
    }
}
