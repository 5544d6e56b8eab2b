using System.Text.Json;

namespace Gateway.Limits;

/// <summary>
/// Passes a streamed answer through untouched while watching for the chat service's SSE comment line
/// `: usage {"prompt_tokens":N,"completion_tokens":M,"total_tokens":T}` (docs/contracts.md). Bytes are never held
/// back, so streaming stays unbuffered; only a comment line's first bytes are copied aside to be read.
/// </summary>
public sealed class UsageScanningStream(Stream inner) : Stream
{
    private const int MaxCommentBytes = 512;
    private static readonly byte[] UsagePrefix = ": usage "u8.ToArray();
    private readonly List<byte> _line = new(64);
    private bool _atLineStart = true;
    private bool _capturing;

    /// <summary>The total tokens the stream reported, or null when it reported none.</summary>
    public long? TotalTokens { get; private set; }

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Write(byte[] buffer, int offset, int count)
    {
        Scan(buffer.AsSpan(offset, count));
        inner.Write(buffer, offset, count);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        Scan(buffer.AsSpan(offset, count));
        return inner.WriteAsync(buffer, offset, count, cancellationToken);
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Scan(buffer.Span);
        return inner.WriteAsync(buffer, cancellationToken);
    }

    public override void Flush() => inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    private void Scan(ReadOnlySpan<byte> data)
    {
        foreach (var b in data)
        {
            if (b == (byte)'\n')
            {
                if (_capturing)
                {
                    ReadUsage();
                }
                _capturing = false;
                _line.Clear();
                _atLineStart = true;
                continue;
            }
            if (_atLineStart)
            {
                _capturing = b == (byte)':';
                _atLineStart = false;
            }
            if (_capturing)
            {
                if (_line.Count < MaxCommentBytes)
                {
                    _line.Add(b);
                }
                else
                {
                    _capturing = false;
                }
            }
        }
    }

    private void ReadUsage()
    {
        var line = _line.ToArray().AsSpan().TrimEnd((byte)'\r');
        if (!line.StartsWith(UsagePrefix))
        {
            return;
        }
        try
        {
            using var usage = JsonDocument.Parse(line[UsagePrefix.Length..].ToArray());
            if (usage.RootElement.TryGetProperty("total_tokens", out var total) && total.TryGetInt64(out var t))
            {
                TotalTokens = t;
            }
            else if (usage.RootElement.TryGetProperty("prompt_tokens", out var p) && usage.RootElement.TryGetProperty("completion_tokens", out var c))
            {
                TotalTokens = p.GetInt64() + c.GetInt64();
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
        {
            // A malformed report counts as none: the reservation stays charged.
        }
    }

    /// <summary>Reads the non-streamed form of the report, `X-Usage-Tokens: {prompt},{completion}`.</summary>
    public static long? ParseHeader(string? value)
    {
        var parts = value?.Split(',');
        return parts is { Length: 2 } && long.TryParse(parts[0].Trim(), out var prompt) && long.TryParse(parts[1].Trim(), out var completion)
            ? prompt + completion
            : null;
    }
}
