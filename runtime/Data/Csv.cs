using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;

namespace Kiln;

/// <summary>
/// Reads a numeric CSV into a <see cref="TensorDataset"/>: float feature columns and one label column. Fields may be
/// quoted (<c>"1,5"</c> with a ';' delimiter, <c>""</c> for a quote inside), numbers are read with the invariant culture,
/// and nan, inf, -inf and infinity are read as Python's float() reads them. A malformed file is an
/// <see cref="InvalidDataException"/> naming the line and column.
/// </summary>
public static class Csv
{
    /// <param name="path">The file.</param>
    /// <param name="hasHeader">Skip the first line.</param>
    /// <param name="delimiter">Column separator.</param>
    /// <param name="labelColumn">0-based column of the target; negative counts from the end (-1: the last).</param>
    /// <param name="intLabels">Read the label as a class index (int) instead of a float target.</param>
    public static TensorDataset Load(string path, bool hasHeader = false, char delimiter = ',', int labelColumn = -1, bool intLabels = false)
    {
        var features = new List<float>();
        var targets = new List<float>();
        var labels = new List<int>();
        int columns = -1, lineNumber = 0;
        foreach (var raw in File.ReadLines(path))
        {
            lineNumber++;
            if (lineNumber == 1 && hasHeader) continue;
            if (raw.Trim().Length == 0) continue;
            var cells = Split(raw, delimiter, path, lineNumber);
            if (columns < 0)
            {
                columns = cells.Length;
                if (columns < 2) throw new InvalidDataException($"{path}:{lineNumber}: need at least one feature column and a label column, found {columns} column(s).");
            }
            else if (cells.Length != columns)
                throw new InvalidDataException($"{path}:{lineNumber}: expected {columns} columns, found {cells.Length}.");
            int label = labelColumn < 0 ? columns + labelColumn : labelColumn;
            if (label < 0 || label >= columns) throw new ArgumentOutOfRangeException(nameof(labelColumn), $"Label column {labelColumn} is outside the {columns} columns of {path}.");
            for (int c = 0; c < columns; c++)
            {
                var cell = cells[c].Trim();
                if (c == label && intLabels)
                {
                    if (!int.TryParse(cell, NumberStyles.Integer, CultureInfo.InvariantCulture, out var k))
                        throw new InvalidDataException($"{path}:{lineNumber}, column {c + 1}: '{cell}' is not an integer class label.");
                    labels.Add(k);
                    continue;
                }
                if (!TryNumber(cell, out var v))
                    throw new InvalidDataException($"{path}:{lineNumber}, column {c + 1}: '{cell}' is not a number.");
                // NaN and inf literals stay accepted (as numpy's loadtxt); a finite number beyond float's range is an error
                if (float.IsInfinity(v) && !cell.Contains("inf", StringComparison.OrdinalIgnoreCase) && !cell.Contains('∞'))
                    throw new InvalidDataException($"{path}:{lineNumber}, column {c + 1}: '{cell}' overflows float32 (its range is ±3.4e38).");
                (c == label ? targets : features).Add(v);
            }
        }
        if (columns < 0) throw new InvalidDataException($"{path}: no data rows.");
        return intLabels ? new TensorDataset(features.ToArray(), columns - 1, labels.ToArray()) : new TensorDataset(features.ToArray(), columns - 1, targets.ToArray(), 1);
    }

    /// <summary>A number as Python's float() reads one: .NET's invariant float, and nan / inf / infinity in any case, signed.</summary>
    private static bool TryNumber(string cell, out float value)
    {
        if (float.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out value)) return true;
        string word = cell.TrimStart('+', '-').ToLowerInvariant();
        bool negative = cell.StartsWith('-');
        value = word switch { "inf" or "infinity" => negative ? float.NegativeInfinity : float.PositiveInfinity, "nan" => float.NaN, _ => 0 };
        return word is "inf" or "infinity" or "nan" && cell.Length - word.Length <= 1;
    }

    /// <summary>One line's fields: a field may be quoted, holding delimiters, with "" for a quote (RFC 4180 within a line).</summary>
    private static string[] Split(string line, char delimiter, string path, int lineNumber)
    {
        if (!line.Contains('"')) return line.Split(delimiter);
        var cells = new List<string>();
        var cell = new System.Text.StringBuilder();
        bool quoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char ch = line[i];
            if (quoted)
            {
                if (ch != '"') cell.Append(ch);
                else if (i + 1 < line.Length && line[i + 1] == '"') { cell.Append('"'); i++; }
                else quoted = false;
            }
            else if (ch == '"' && cell.ToString().Trim().Length == 0) { cell.Clear(); quoted = true; }
            else if (ch == delimiter) { cells.Add(cell.ToString()); cell.Clear(); }
            else cell.Append(ch);
        }
        if (quoted) throw new InvalidDataException($"{path}:{lineNumber}, column {cells.Count + 1}: a quoted field is not closed on its line.");
        cells.Add(cell.ToString());
        return cells.ToArray();
    }
}
