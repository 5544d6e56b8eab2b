using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace ServiceDefaults.Tests;

/// <summary>Keeps every log entry at Error or above that a host writes, for tests of what reaches the log.</summary>
internal sealed class RecordingLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<(string Category, Exception? Exception)> _errors = new();

    public IReadOnlyList<(string Category, Exception? Exception)> Errors() => [.. _errors];

    public ILogger CreateLogger(string categoryName) => new Recorder(categoryName, _errors);

    public void Dispose()
    {
    }

    private sealed class Recorder(string category, ConcurrentQueue<(string, Exception?)> errors) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                errors.Enqueue((category, exception));
            }
        }
    }
}
