using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using Xunit;

namespace Kiln.Tests.Support;

/// <summary>
/// Source with one span marked <c>[| |]</c>, as Roslyn's analyzer tests write it: the generator runs on the unmarked
/// text and exactly one KLN diagnostic must come back, with the given id, at the marked span.
/// </summary>
public static class MarkedSource
{
    /// <summary>The single KLN diagnostic of <paramref name="marked"/> (plus <paramref name="suffix"/>, unmarked): its id, span and, when given, words of its message.</summary>
    public static (Diagnostic Diagnostic, GeneratorHarness.Result Result) SingleAt(string marked, string id, string? reason = null, string suffix = "")
    {
        int start = marked.IndexOf("[|"), end = marked.IndexOf("|]") - 2;
        Assert.True(start >= 0 && end >= start, "the source marks no [| |] span");
        var result = GeneratorHarness.Run(marked.Replace("[|", "").Replace("|]", "") + suffix);
        var d = Assert.Single(result.GeneratorDiagnostics.Where(x => x.Id.StartsWith("KLN")));
        string message = d.GetMessage(CultureInfo.InvariantCulture);
        Assert.True(d.Id == id, $"{d.Id} instead of {id}: {message}");
        if (reason is not null) Assert.Contains(reason, message);
        Assert.Equal(TextSpan.FromBounds(start, end), d.Location.SourceSpan);
        return (d, result);
    }
}
