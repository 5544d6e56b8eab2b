using Markdig;

namespace DocumentService.Services.Extraction;

/// <summary>Markdown to its plain text (Markdig renders without markup), keeping paragraph breaks.</summary>
public static class MarkdownText
{
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder().UseAdvancedExtensions().Build();

    public static string ToPlainText(string markdown) =>
        TextExtractor.Normalize(HtmlText.ToPlainText(Markdown.ToHtml(markdown, Pipeline)));
}
