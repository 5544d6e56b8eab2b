namespace Cli;

/// <summary>Exit codes a script can tell apart; README's "Command line" section lists them.</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    public const int Failed = 1;
    public const int Usage = 2;
    public const int Unreachable = 3;
    public const int Unauthorized = 4;
    public const int NotFound = 5;
    public const int RateLimited = 6;
}

/// <summary>A failure said in words for the user; the message is printed as is and the code is the exit code.</summary>
public sealed class CliException(string message, int exitCode = ExitCodes.Failed) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
