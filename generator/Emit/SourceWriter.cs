using System.Text;

namespace Kiln.Generator.Emit;

/// <summary>An indentation-aware writer for generated C# (4 spaces, \n line ends, deterministic).</summary>
internal sealed class SourceWriter
{
    private readonly StringBuilder _sb = new();
    private int _indent;

    public SourceWriter Line(string text = "")
    {
        if (text.Length > 0) _sb.Append(' ', _indent * 4).Append(text);
        _sb.Append('\n');
        return this;
    }

    public SourceWriter Open(string header)
    {
        Line(header);
        Line("{");
        _indent++;
        return this;
    }

    public SourceWriter Close(string suffix = "")
    {
        _indent--;
        Line("}" + suffix);
        return this;
    }

    /// <summary>Lines rendered by another writer at indentation 0, indented to this writer's level.</summary>
    public SourceWriter Raw(string text)
    {
        foreach (var line in text.TrimEnd('\n').Split('\n')) Line(line);
        return this;
    }

    public override string ToString() => _sb.ToString();
}
