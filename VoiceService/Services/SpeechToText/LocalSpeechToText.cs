using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using VoiceService.Services.Audio;

namespace VoiceService.Services.SpeechToText;

/// <summary>
/// pocketsphinx with a grammar made from the assistant's vocabulary: its known phrases whole, and question frames
/// around its terms. The generic language model recognises synthetic and accented voices poorly, the grammar well;
/// when nothing in the grammar fits, the generic model has the last word.
/// </summary>
public sealed partial class LocalSpeechToText(IOptions<VoiceOptions> options, ILogger<LocalSpeechToText> logger) : ISpeechToText
{
    /// <summary>pocketsphinx's acoustic model and dictionary here are US English.</summary>
    public string Language => "en";

    private static readonly string[] Frames =
    [
        "what is", "what are", "what is the", "what are the", "tell me about", "how does", "how do i", "how do i get",
        "how many", "how much", "explain", "where can i find", "who handles", "when is", "can i", "do you have",
        "when are", "is there", "are there", "how long is", "how long are",
    ];

    /// <summary>What a question often says after its subject ("how many vacation days <em>do i get</em>").</summary>
    private static readonly string[] Tails =
    [
        "do i get", "do we get", "do i have", "do employees get", "is paid", "are paid", "is allowed",
        "per year", "each year", "each month", "do i get per year", "do i get each year",
    ];

    private readonly LocalEngineOptions _options = options.Value.Local;
    private readonly Lazy<HashSet<string>> _dictionary = new(() => LoadDictionary(options.Value.Local.PocketsphinxModelDir));

    public async Task<string> TranscribeAsync(Recording recording, Vocabulary vocabulary, CancellationToken cancellationToken)
    {
        var work = Directory.CreateTempSubdirectory("voice-stt-");
        try
        {
            var wavPath = Path.Combine(work.FullName, "input.wav");
            await File.WriteAllBytesAsync(wavPath, SilenceTrimmer.Trim(recording.Wav), cancellationToken).ConfigureAwait(false);

            // Narrowest first: the known phrases alone, then phrases and question frames around the terms. A grammar
            // that cannot fit the recording yields nothing, and the next, wider one is tried.
            foreach (var (name, grammar) in new[] { ("phrases", BuildGrammar(vocabulary with { Terms = [] })), ("vocabulary", BuildGrammar(vocabulary)) })
            {
                if (grammar is null || (name == "vocabulary" && vocabulary.Terms.Count == 0))
                {
                    continue;
                }
                var grammarPath = Path.Combine(work.FullName, name + ".gram");
                await File.WriteAllTextAsync(grammarPath, grammar, cancellationToken).ConfigureAwait(false);
                // The phrases keep the default beams, so a recording that is none of them fails and the wider grammar
                // is tried. That one gets wider beams: with frames, terms and tails the right path was pruned before
                // the end of the utterance ("final result does not match the grammar") and nothing was recognised.
                string[] beams = name == "vocabulary" ? ["-beam", "1e-80", "-pbeam", "1e-80", "-wbeam", "1e-60"] : [];
                var biased = await DecodeAsync(wavPath, ["-jsgf", grammarPath, "-fsgusefiller", "no", .. beams], cancellationToken).ConfigureAwait(false);
                if (biased.Length > 0)
                {
                    return biased;
                }
            }
            LogGrammarMiss(logger);
            return await DecodeAsync(wavPath, ["-lm", Path.Combine(_options.PocketsphinxModelDir, "en-us.lm.bin")], cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    /// <summary>A JSGF grammar of the vocabulary, or null when none of it can be pronounced by the dictionary.</summary>
    internal string? BuildGrammar(Vocabulary vocabulary)
    {
        var phrases = vocabulary.Phrases
            .Select(Normalize)
            .Where(p => p.Length > 0 && p.Split(' ').All(_dictionary.Value.Contains))
            .Distinct(StringComparer.Ordinal)
            .Take(2000)
            .ToList();
        var terms = vocabulary.Terms
            .Select(Normalize)
            .Where(t => t.Length > 0 && t.Split(' ').All(_dictionary.Value.Contains))
            .Distinct(StringComparer.Ordinal)
            .Take(300)
            .ToList();
        if (phrases.Count == 0 && terms.Count == 0)
        {
            return null;
        }

        var rules = new List<string>();
        var grammar = new StringBuilder("#JSGF V1.0;\ngrammar vocabulary;\n");
        if (phrases.Count > 0)
        {
            rules.Add("<known>");
            grammar.Append("<known> = ").AppendJoin(" | ", phrases.Select(p => "( " + p + " )")).Append(";\n");
        }
        if (terms.Count > 0)
        {
            rules.Add("<asked>");
            grammar.Append("<asked> = <frame> [the | a | my | our] <term> [<tail>];\n");
            grammar.Append("<frame> = ").AppendJoin(" | ", Frames.Select(f => "( " + f + " )")).Append(";\n");
            grammar.Append("<tail> = ").AppendJoin(" | ", Tails.Select(f => "( " + f + " )")).Append(";\n");
            grammar.Append("<term> = ").AppendJoin(" | ", terms.Select(t => "( " + t + " )")).Append(";\n");
        }
        grammar.Append("public <utterance> = ").AppendJoin(" | ", rules).Append(";\n");
        return grammar.ToString();
    }

    private async Task<string> DecodeAsync(string wavPath, string[] model, CancellationToken cancellationToken)
    {
        string[] arguments =
        [
            "-infile", wavPath,
            "-hmm", Path.Combine(_options.PocketsphinxModelDir, "en-us"),
            "-dict", Path.Combine(_options.PocketsphinxModelDir, "cmudict-en-us.dict"),
            "-logfn", "/dev/null",
            .. model,
        ];
        var result = await ProcessRunner.RunAsync(_options.PocketsphinxPath, arguments, ReadOnlyMemory<byte>.Empty,
            _options.ProcessTimeout, cancellationToken).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"pocketsphinx failed ({result.ExitCode}): {result.Errors}");
        }
        // One line per utterance the decoder found between pauses.
        var lines = Encoding.UTF8.GetString(result.Output)
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return string.Join(' ', lines);
    }

    /// <summary>Lower case words of letters and apostrophes, as the pronunciation dictionary spells them.</summary>
    internal static string Normalize(string text) =>
        string.Join(' ', WordPattern().Matches(text.ToLowerInvariant()).Select(m => m.Value.Trim('\'')).Where(w => w.Length > 0));

    private static HashSet<string> LoadDictionary(string modelDir)
    {
        var words = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines(Path.Combine(modelDir, "cmudict-en-us.dict")))
        {
            var end = line.IndexOf(' ', StringComparison.Ordinal);
            if (end > 0 && line[end - 1] != ')')
            {
                words.Add(line[..end]);
            }
        }
        return words;
    }

    [GeneratedRegex("[a-z']+")]
    private static partial Regex WordPattern();

    [LoggerMessage(Level = LogLevel.Debug, Message = "Nothing in the assistant's vocabulary fits the recording; using the generic model")]
    private static partial void LogGrammarMiss(ILogger logger);
}
