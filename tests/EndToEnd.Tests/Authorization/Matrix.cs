using System.Net;
using System.Text;

namespace EndToEnd.Tests.Authorization;

/// <summary>
/// Asks one cell of the matrix at a time and keeps every wrong answer, so a failing run lists all of them. A refusal
/// is 401 for nobody and 403 or 404 for anyone else (as if the resource did not exist); a permission is a 2xx.
/// </summary>
public sealed class Matrix(Callers callers)
{
    private readonly List<string> _wrong = [];

    public int Cells { get; private set; }

    public async Task ExpectAsync(string resource, string action, string caller, bool allowed,
        HttpMethod method, string path, Func<HttpContent?>? body = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative)) { Content = body?.Invoke() };
        using var response = await callers[caller].SendAsync(request);
        Record(resource, action, caller, allowed, (int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>A list cell: allowed means the list answers and shows the resource, refused that it does not show it.</summary>
    public async Task ExpectListedAsync(string resource, string caller, bool allowed, string path, string id)
    {
        using var response = await callers[caller].GetAsync(new Uri(path, UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();
        Cells++;
        var status = (int)response.StatusCode;
        var listed = status is >= 200 and < 300 && body.Contains(id, StringComparison.Ordinal);
        var refusedRight = caller == Callers.Anonymous ? status == 401 : !listed && status is (>= 200 and < 300) or 403 or 404;
        if (allowed ? !listed : !refusedRight)
        {
            _wrong.Add($"{resource} list by {caller}: {status}, {(listed ? "listed" : "not listed")}, expected {(allowed ? "listed" : "refused")}");
        }
    }

    public void Record(string resource, string action, string caller, bool allowed, int status, string body)
    {
        Cells++;
        var right = allowed
            ? status is >= 200 and < 300
            : caller == Callers.Anonymous ? status == 401 : status is 403 or 404;
        if (!right)
        {
            _wrong.Add($"{resource} {action} by {caller}: {status} (expected {(allowed ? "2xx" : "refused")}) {Shorten(body)}");
        }
    }

    public void AssertAllRight() =>
        Assert.True(_wrong.Count == 0, $"{_wrong.Count} of {Cells} cells wrong:\n" + string.Join("\n", _wrong));

    public static HttpContent Json(string json) => new StringContent(json, Encoding.UTF8, "application/json");

    public static bool Allows(string caller, params string[] allowed) => allowed.Contains(caller);

    private static string Shorten(string text) => text.Length <= 200 ? text : text[..200] + "…";
}
