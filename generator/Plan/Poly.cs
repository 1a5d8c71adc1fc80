using System.Collections.Generic;
using System.Linq;
using Kiln.Generator.Ir;

namespace Kiln.Generator.Plan;

/// <summary>A sum of symbolic sizes (offsets and totals of the memory plan), like terms combined.</summary>
internal sealed class Poly
{
    private readonly List<Size> _terms = new();

    public Poly() { }
    public Poly(IEnumerable<Size> terms) { foreach (var t in terms) Add(t); }

    public IReadOnlyList<Size> Terms => _terms;

    public void Add(Size s)
    {
        if (s.Coefficient == 0) return;
        for (int i = 0; i < _terms.Count; i++)
        {
            if (_terms[i].Symbols.SequenceEqual(s.Symbols))
            {
                var sym = s.Symbols.Aggregate(Size.Of(_terms[i].Coefficient + s.Coefficient), (acc, x) => acc * Size.Symbol(x));
                _terms[i] = sym;
                return;
            }
        }
        _terms.Add(s);
    }

    public Poly Copy() => new(_terms);

    /// <summary>Whether no term has a symbol (the same for every binding of the dims).</summary>
    public bool IsConstant => _terms.All(t => t.IsConstant);

    public long Evaluate(IReadOnlyDictionary<string, int> dims) => _terms.Sum(t => t.Evaluate(dims));

    public string Emit(string prefix) => _terms.Count == 0 ? "0"
        : string.Join(" + ", _terms.OrderBy(t => t.Symbols.Count).ThenBy(t => string.Join("*", t.Symbols)).Select(t => t.Emit(prefix)));

    public override string ToString() => _terms.Count == 0 ? "0" : string.Join(" + ", _terms.OrderBy(t => t.Symbols.Count).Select(t => t.ToString()));
}
