using System.Diagnostics;

namespace AppHost.Hosting;

internal static class Shell
{
    public static async Task RunAsync(string commandLine, CancellationToken cancellationToken = default)
    {
        var (code, output) = await ExecuteAsync(commandLine, cancellationToken).ConfigureAwait(false);
        if (code != 0)
        {
            throw new InvalidOperationException($"`{commandLine}` failed ({code}): {output}");
        }
    }

    public static async Task<bool> TryRunAsync(string commandLine, CancellationToken cancellationToken = default) =>
        (await ExecuteAsync(commandLine, cancellationToken).ConfigureAwait(false)).Code == 0;

    private static async Task<(int Code, string Output)> ExecuteAsync(string commandLine, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = "/tmp" };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(commandLine);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        return (process.ExitCode, await stdout.ConfigureAwait(false) + await stderr.ConfigureAwait(false));
    }
}
