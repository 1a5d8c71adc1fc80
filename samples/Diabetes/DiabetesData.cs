using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using Kiln;

namespace Samples.Diabetes;

/// <summary>
/// A diabetes-style table: 8 float features in [-1, 1] and a 0/1 label, as in the seed's diabetes.csv.gz. The rows
/// here are synthetic (drawn from a fixed logistic model with noise, see <see cref="Generate"/>), so the file is ours to
/// redistribute; the sample ships it and can regenerate it bit for bit.
/// </summary>
public sealed class DiabetesData(float[] features, float[] labels)
{
    public const int Features = 8;
    public float[] X { get; } = features;
    public float[] Y { get; } = labels;
    public int Count => Y.Length;

    /// <summary>The table through Kiln's CSV reader: the last column is the label; a malformed line is an
    /// InvalidDataException naming the line and column.</summary>
    public static DiabetesData Load(string path)
    {
        var table = Csv.Load(path);
        if (table.FeatureSize != Features)
            throw new InvalidDataException($"{path}: expected {Features} features and a label per row, found {table.FeatureSize + 1} columns.");
        return new DiabetesData(table.Features, table.Targets!);
    }

    /// <summary>759 rows (the size of the seed's file) from a fixed logistic model: deterministic for a seed.</summary>
    public static string Generate(int rows = 759, int seed = 2026)
    {
        var rng = new SeededRandom((ulong)seed);
        float[] w = [1.6f, -0.9f, 2.2f, 0.4f, -1.3f, 1.1f, 0.7f, -0.5f];
        var sb = new StringBuilder();
        for (int i = 0; i < rows; i++)
        {
            var f = new float[Features];
            float z = 0.6f;
            for (int j = 0; j < Features; j++) { f[j] = MathF.Round(rng.Uniform(-1f, 1f), 4); z += w[j] * f[j]; }
            float p = 1f / (1f + MathF.Exp(-(z + 0.5f * rng.Normal())));
            int label = rng.NextFloat() < p ? 1 : 0;
            sb.Append(string.Join(",", f.Select(v => v.ToString("0.####", CultureInfo.InvariantCulture)))).Append(',').Append(label).Append('\n');
        }
        return sb.ToString();
    }
}
