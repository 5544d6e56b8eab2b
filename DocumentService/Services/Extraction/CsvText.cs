using System.Text;

namespace DocumentService.Services.Extraction;

/// <summary>
/// CSV (RFC 4180: quotes, doubled quotes, line breaks inside quotes) as one paragraph per row, each value labelled
/// with its column header, so a retrieved row reads on its own.
/// </summary>
public static class CsvText
{
    public static string ToPlainText(string csv)
    {
        var rows = Parse(csv);
        if (rows.Count == 0)
        {
            return "";
        }
        var header = rows[0];
        var builder = new StringBuilder();
        for (var r = 1; r < rows.Count; r++)
        {
            var cells = new List<string>();
            for (var c = 0; c < rows[r].Count; c++)
            {
                var value = rows[r][c].Trim();
                if (value.Length == 0)
                {
                    continue;
                }
                var name = c < header.Count && header[c].Trim().Length > 0 ? header[c].Trim() : $"column {c + 1}";
                cells.Add($"{name}: {value}");
            }
            if (cells.Count > 0)
            {
                builder.Append(string.Join("; ", cells)).Append(".\n\n");
            }
        }
        // A file with a header only still says something.
        return rows.Count == 1 ? string.Join(", ", header) : TextExtractor.Normalize(builder.ToString());
    }

    public static List<List<string>> Parse(string csv)
    {
        var rows = new List<List<string>>();
        var row = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < csv.Length; i++)
        {
            var ch = csv[i];
            if (quoted)
            {
                if (ch == '"')
                {
                    if (i + 1 < csv.Length && csv[i + 1] == '"')
                    {
                        field.Append('"');
                        i++;
                    }
                    else
                    {
                        quoted = false;
                    }
                }
                else
                {
                    field.Append(ch);
                }
                continue;
            }
            switch (ch)
            {
                case '"' when field.Length == 0:
                    quoted = true;
                    break;
                case ',':
                    row.Add(field.ToString());
                    field.Clear();
                    break;
                case '\r':
                    break;
                case '\n':
                    row.Add(field.ToString());
                    field.Clear();
                    AddRow(rows, row);
                    row = [];
                    break;
                default:
                    field.Append(ch);
                    break;
            }
        }
        row.Add(field.ToString());
        AddRow(rows, row);
        return rows;
    }

    private static void AddRow(List<List<string>> rows, List<string> row)
    {
        if (row.Exists(f => f.Length > 0))
        {
            rows.Add(row);
        }
    }
}
