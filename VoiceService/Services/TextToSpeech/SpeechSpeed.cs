using System.Globalization;
using ServiceDefaults.Errors;

namespace VoiceService.Services.TextToSpeech;

/// <summary>How fast to speak, in OpenAI's range (0.25 to 4.0 times the usual pace) on every route that speaks.</summary>
public static class SpeechSpeed
{
    public const double Usual = 1.0;

    /// <summary>The speed asked for in a JSON body; none is the usual pace.</summary>
    public static double Ensure(double? speed) => speed switch
    {
        null => Usual,
        // Each engine then speaks within its own range, nearest to the speed asked.
        >= 0.25 and <= 4.0 => speed.Value,
        _ => throw new ApiException(StatusCodes.Status400BadRequest, "speed must be between 0.25 and 4.0.", "Bad request", "invalid_value") { Param = "speed" },
    };

    /// <summary>The speed asked for in a multipart form field.</summary>
    public static double Read(string? field) =>
        field is null ? Usual
        : double.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out var speed) ? Ensure(speed)
        : throw RequestErrors.InvalidType("speed", field, "a number");
}
