using Microsoft.AspNetCore.Http;

namespace ServiceDefaults.Errors;

/// <summary>
/// The answers to a value outside a field's set and to a field a route does not take, worded as OpenAI's API words
/// them (code `invalid_value`, `invalid_type` or `unknown_parameter`, the field in `param`), so a client reads the same
/// message here; and to a field of OpenAI's that this platform cannot honour (`unsupported_parameter`).
/// </summary>
public static class RequestErrors
{
    public static ApiException InvalidValue(string param, string value, IReadOnlyList<string> supported) =>
        new(StatusCodes.Status400BadRequest, $"Invalid value: '{Echo(value)}'. Supported values are: {Listed(supported)}.", "Bad request", "invalid_value")
        {
            Param = param,
        };

    /// <summary>A field of OpenAI's API that this route does not take; <paramref name="instead"/> says what does.
    /// The name may be the client's own (a key inside an object), so it is echoed as values are.</summary>
    public static ApiException UnknownParameter(string param, string instead) =>
        new(StatusCodes.Status400BadRequest, $"Unknown parameter: '{Echo(param)}'. {instead}", "Bad request", "unknown_parameter") { Param = Echo(param) };

    /// <summary>A field of OpenAI's API this platform cannot honour: refused by name, never accepted and ignored.</summary>
    public static ApiException Unsupported(string param, string why) =>
        new(StatusCodes.Status400BadRequest, $"'{param}' is not supported here: {why}", "Bad request", "unsupported_parameter") { Param = param };

    /// <summary>A query or route value not of its parameter's type (`limit=abc`); <paramref name="expected"/> names the type.</summary>
    public static ApiException InvalidType(string param, string value, string expected) =>
        new(StatusCodes.Status400BadRequest, $"Invalid '{param}': expected {expected}, but got '{Echo(value)}'.", "Bad request", "invalid_type")
        {
            Param = param,
        };

    /// <summary>The client's value as echoed back: no control characters, and cut short, so an answer stays small.</summary>
    private static string Echo(string value)
    {
        var printable = new string([.. value.Where(c => !char.IsControl(c)).Take(MaxEcho + 1)]);
        return printable.Length > MaxEcho ? printable[..MaxEcho] + "…" : printable;
    }

    private const int MaxEcho = 64;

    private static string Listed(IReadOnlyList<string> values) => values.Count switch
    {
        0 => "none",
        1 => $"'{values[0]}'",
        2 => $"'{values[0]}' and '{values[1]}'",
        _ => string.Join(", ", values.SkipLast(1).Select(v => $"'{v}'")) + $", and '{values[^1]}'",
    };
}
