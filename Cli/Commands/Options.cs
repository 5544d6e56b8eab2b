using System.CommandLine;
using System.Globalization;

namespace Cli.Commands;

/// <summary>Options several commands share; each command gets its own instance.</summary>
public static class Options
{
    public static Option<bool> Json() => new("--json") { Description = "Print JSON instead of a table" };

    /// <summary>A per-minute limit; a value that is no whole number is said in words, not with .NET's type name.</summary>
    public static Option<int?> PerMinute(string name, string description) => new(name)
    {
        Description = description,
        CustomParser = result =>
        {
            var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
            if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
            {
                return value;
            }
            result.AddError($"{name} takes a whole number of at most {int.MaxValue}, not '{text}'.");
            return null;
        },
    };

    public static Argument<string> Assistant() => new("assistant") { Description = "The assistant's id (asst_...) or its exact name" };
}
