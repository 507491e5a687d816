using System.Text;

namespace Mote.Core.Population.Labels;

/// <summary>
/// A minimal RFC 4180 reader: comma separated, fields optionally in double quotes, <c>""</c> for a quote inside a
/// quoted field, quoted fields may span lines, CRLF or LF line ends, a UTF-8 BOM is skipped. Blank lines are skipped.
/// </summary>
public static class CsvTable
{
    /// <summary>Reads rows with their 1-based starting line numbers; malformed quoting throws <see cref="LabelFormatException"/>.</summary>
    public static IEnumerable<(int Line, string[] Fields)> Read(TextReader reader, string sourceName)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var line = 1;
        var rowStart = 1;
        var inQuotes = false;
        var fieldWasQuoted = false;
        var afterQuote = false;
        if (reader.Peek() == '\uFEFF')
        {
            reader.Read();
        }
        int c;
        while ((c = reader.Read()) != -1)
        {
            var ch = (char)c;
            if (inQuotes)
            {
                if (ch == '"')
                {
                    if (reader.Peek() == '"')
                    {
                        reader.Read();
                        field.Append('"');
                    }
                    else
                    {
                        inQuotes = false;
                        afterQuote = true;
                    }
                }
                else
                {
                    if (ch == '\n')
                    {
                        line++;
                    }
                    field.Append(ch);
                }
                continue;
            }
            switch (ch)
            {
                case '"' when field.Length == 0 && !fieldWasQuoted:
                    inQuotes = true;
                    fieldWasQuoted = true;
                    break;
                case '"':
                    throw new LabelFormatException(sourceName, line, "a double quote inside an unquoted field (quote the whole field and double the quote)");
                case ',':
                    fields.Add(field.ToString());
                    field.Clear();
                    fieldWasQuoted = false;
                    afterQuote = false;
                    break;
                case '\r':
                    break;
                case '\n':
                    fields.Add(field.ToString());
                    field.Clear();
                    fieldWasQuoted = false;
                    afterQuote = false;
                    if (!(fields.Count == 1 && fields[0].Length == 0))
                    {
                        yield return (rowStart, fields.ToArray());
                    }
                    fields.Clear();
                    line++;
                    rowStart = line;
                    break;
                default:
                    if (afterQuote)
                    {
                        throw new LabelFormatException(sourceName, line, "text after the closing quote of a quoted field");
                    }
                    field.Append(ch);
                    break;
            }
        }
        if (inQuotes)
        {
            throw new LabelFormatException(sourceName, rowStart, "a quoted field is not closed before the end of the file");
        }
        if (field.Length > 0 || fields.Count > 0 || fieldWasQuoted)
        {
            fields.Add(field.ToString());
            yield return (rowStart, fields.ToArray());
        }
    }
}
