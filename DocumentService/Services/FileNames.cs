using System.Globalization;
using ServiceDefaults.Errors;

namespace DocumentService.Services;

/// <summary>
/// An uploaded file's name is shown back and sent in Content-Disposition, never used as a path; still, a name that
/// tries to be a path or hides characters is refused outright rather than quietly rewritten.
/// </summary>
public static class FileNames
{
    public const int MaxLength = 255;

    public static string Validate(string? name)
    {
        var trimmed = name?.Trim().Trim('"').Trim();
        if (string.IsNullOrEmpty(trimmed))
        {
            throw Bad("The file has no name.");
        }
        if (trimmed.Length > MaxLength)
        {
            throw Bad($"The file name is longer than {MaxLength} characters.");
        }
        if (trimmed.Contains('/') || trimmed.Contains('\\') || trimmed is "." or ".." || trimmed.Contains(':'))
        {
            throw Bad("The file name must be a plain name, not a path.");
        }
        foreach (var ch in trimmed)
        {
            var category = CharUnicodeInfo.GetUnicodeCategory(ch);
            if (char.IsControl(ch) || category is UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator)
            {
                throw Bad("The file name contains control or invisible formatting characters.");
            }
        }
        return trimmed;
    }

    private static ApiException Bad(string message) =>
        new(StatusCodes.Status400BadRequest, message, "Bad request", "invalid_filename") { Param = "file" };
}
