namespace Cli.Tests;

/// <summary>The knowledge the assistants in these tests answer from (the offline responder quotes it).</summary>
public static class Handbook
{
    public const string Text = """
        Vacation policy. Every full-time employee receives 25 vacation days per year. Unused days carry over until March.

        Expenses. Travel expenses are reimbursed within 14 days when the receipt is uploaded to the finance portal.
        """;

    public const string Revised = """
        Vacation policy. Every full-time employee receives 30 vacation days per year. Unused days carry over until April.
        """;
}
