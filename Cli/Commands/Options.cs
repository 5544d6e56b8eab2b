using System.CommandLine;

namespace Cli.Commands;

/// <summary>Options several commands share; each command gets its own instance.</summary>
public static class Options
{
    public static Option<bool> Json() => new("--json") { Description = "Print JSON instead of a table" };

    public static Argument<string> Assistant() => new("assistant") { Description = "The assistant's id (asst_...) or its exact name" };
}
