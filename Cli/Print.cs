using System.ClientModel.Primitives;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cli.Gateway;
using Spectre.Console;

namespace Cli;

/// <summary>A command's result on standard output: a table for people, JSON for scripts.</summary>
public static class Print
{
    public static void Json<T>(Terminal terminal, T value) =>
        terminal.Out.WriteLine(JsonSerializer.Serialize(value, Gateway.Json.Options));

    /// <summary>OpenAI SDK objects as the gateway sent them.</summary>
    public static void Models<T>(Terminal terminal, IEnumerable<T> models) where T : IJsonModel<T> =>
        Json(terminal, new JsonArray([.. models.Select(Node)]));

    public static void Model<T>(Terminal terminal, T model) where T : IJsonModel<T> => Json(terminal, Node(model));

    public static void Table(Terminal terminal, string[] headers, IEnumerable<string?[]> rows)
    {
        var table = new Table().Border(TableBorder.Simple);
        foreach (var header in headers)
        {
            table.AddColumn(new TableColumn(header).NoWrap());
        }
        foreach (var row in rows)
        {
            table.AddRow(row.Select(cell => new Text(cell ?? "")).ToArray());
        }
        terminal.OutConsole.Write(table);
    }

    public static string Time(long unixSeconds) =>
        DateTimeOffset.FromUnixTimeSeconds(unixSeconds).ToLocalTime().ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture);

    public static string Time(DateTimeOffset time) => Time(time.ToUnixTimeSeconds());

    private static JsonNode? Node<T>(T model) where T : IJsonModel<T> => JsonNode.Parse(ModelReaderWriter.Write(model).ToString());
}
