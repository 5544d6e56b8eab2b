using System.Text.Json;
using System.Text.Json.Serialization;

namespace Cli.Gateway;

public sealed record StoredSession(
    [property: JsonPropertyName("access_token")] string AccessToken,
    [property: JsonPropertyName("refresh_token")] string RefreshToken,
    [property: JsonPropertyName("expires_at")] DateTimeOffset ExpiresAt);

/// <summary>
/// Sessions per gateway URL in $XDG_CONFIG_HOME/chatbot/credentials.json (else ~/.config/chatbot), readable by the
/// owner only: the folder is 0700 and the file 0600, set on every write.
/// </summary>
public sealed class TokenStore(string directory)
{
    private const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode OwnerOnlyDirectory = OwnerOnlyFile | UnixFileMode.UserExecute;

    public string FilePath { get; } = Path.Combine(directory, "credentials.json");

    public static TokenStore ForUser(Func<string, string?> environment)
    {
        var config = environment("XDG_CONFIG_HOME") is { Length: > 0 } xdg
            ? xdg
            : Path.Combine(environment("HOME") is { Length: > 0 } home ? home : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config");
        return new TokenStore(Path.Combine(config, "chatbot"));
    }

    /// <summary>How long a refresh may wait for another process's; a refresh is one request, so this is generous.</summary>
    private static readonly TimeSpan LockWait = TimeSpan.FromSeconds(30);

    public StoredSession? Get(Uri gateway) => ReadAll().GetValueOrDefault(Key(gateway));

    public void Save(Uri gateway, StoredSession session)
    {
        var all = ReadAll();
        all[Key(gateway)] = session;
        Write(all);
    }

    /// <returns>Whether a session for that gateway was stored.</returns>
    public bool Remove(Uri gateway)
    {
        var all = ReadAll();
        var removed = all.Remove(Key(gateway));
        if (removed)
        {
            Write(all);
        }
        return removed;
    }

    /// <summary>
    /// Holds credentials.json.lock exclusively (FileShare.None is an flock on Unix, released when the process dies) so
    /// that concurrent chatbot processes refresh one at a time; retried until another's refresh has finished.
    /// </summary>
    public async Task<IDisposable> LockAsync(CancellationToken cancellationToken)
    {
        var folder = Path.GetDirectoryName(FilePath)!;
        Directory.CreateDirectory(folder);
        var options = new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.ReadWrite, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerOnlyFile;
        }
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return new FileStream(FilePath + ".lock", options);
            }
            catch (IOException) when (waited.Elapsed < LockWait)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50), cancellationToken);
            }
            catch (IOException)
            {
                // The lock dies with its process, so the file itself never needs deleting: only a live process can hold it.
                throw new CliException($"Another chatbot process has been refreshing the session for {LockWait.TotalSeconds:0} s (it holds {FilePath}.lock); stop it or wait for it, then try again.");
            }
        }
    }

    private static string Key(Uri gateway) => gateway.GetLeftPart(UriPartial.Authority);

    private Dictionary<string, StoredSession> ReadAll()
    {
        if (!File.Exists(FilePath))
        {
            return [];
        }
        try
        {
            return JsonSerializer.Deserialize<Dictionary<string, StoredSession>>(File.ReadAllText(FilePath)) ?? [];
        }
        catch (JsonException)
        {
            throw new CliException($"{FilePath} is not valid JSON; delete it and log in again.");
        }
    }

    private void Write(Dictionary<string, StoredSession> all)
    {
        var folder = Path.GetDirectoryName(FilePath)!;
        Directory.CreateDirectory(folder);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(folder, OwnerOnlyDirectory);
        }
        // Written beside and moved over, so a crash never leaves half a file; created owner-only from the start. The
        // name is this write's own, so two processes writing at once never share (or move away) each other's file.
        var temporary = $"{FilePath}.{Guid.NewGuid():N}.tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerOnlyFile;
        }
        using (var stream = new FileStream(temporary, options))
        {
            JsonSerializer.Serialize(stream, all, new JsonSerializerOptions { WriteIndented = true });
        }
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(temporary, OwnerOnlyFile);
        }
        File.Move(temporary, FilePath, overwrite: true);
    }
}
