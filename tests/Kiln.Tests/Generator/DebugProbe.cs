extern alias gen;
using System.IO;
using System.Linq;
using Kiln.Tests.Support;
using Xunit;

namespace Kiln.Tests.Generator;

public class DebugProbe
{
    [Fact]
    public void Diabetes()
    {
        gen::Kiln.Generator.Compiler.IncludeStackTraces = true;
        var src = File.ReadAllText("/work/main/samples/Diabetes/Model.cs");
        var r = GeneratorHarness.Run(src);
        Assert.Fail(string.Join("\n", r.GeneratorDiagnostics.Select(d => d.GetMessage())));
    }
}
