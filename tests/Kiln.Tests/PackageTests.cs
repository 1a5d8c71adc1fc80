using System;
using System.Diagnostics;
using System.IO;
using Kiln.Tests.Support;
using Xunit;

namespace Kiln.Tests;

/// <summary>
/// `dotnet pack` makes one package (runtime + generator as an analyzer) that a fresh console project consumes
/// with a single PackageReference: its model is compiled by the packaged generator and trains.
/// </summary>
public class PackageTests
{
    private static (int Code, string Output) Dotnet(string arguments, string workingDirectory)
    {
        var info = new ProcessStartInfo("dotnet", arguments) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var name in new[] { "MSBUILD_EXE_PATH", "MSBuildExtensionsPath", "MSBuildSDKsPath", "MSBuildLoadMicrosoftTargetsReadOnly" }) info.Environment.Remove(name);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5))) { process.Kill(true); return (-1, "timed out: dotnet " + arguments); }
        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    [Fact]
    public void A_fresh_console_project_consumes_the_package()
    {
        var root = Path.Combine(Path.GetTempPath(), "kiln-pack-" + Guid.NewGuid().ToString("N")[..8]);
        var feed = Path.Combine(root, "feed");
        var app = Path.Combine(root, "app");
        Directory.CreateDirectory(app);
        string version = "0.1.0-test" + DateTime.UtcNow.ToString("yyyyMMddHHmmssfff");
        try
        {
            var pack = Dotnet($"pack \"{Path.Combine(Repo.Root, "runtime", "Kiln.csproj")}\" -c Release -o \"{feed}\" -p:Version={version}", Repo.Root);
            Assert.True(pack.Code == 0, pack.Output);
            // a diagnostic's link (docs/diagnostics.md#kln0003) and the README are in the package, for a user without the repository
            using (var nupkg = System.IO.Compression.ZipFile.OpenRead(Path.Combine(feed, $"Kiln.{version}.nupkg")))
            {
                Assert.Contains(nupkg.Entries, e => e.FullName == "README.md");
                Assert.Contains(nupkg.Entries, e => e.FullName == "docs/diagnostics.md");
            }
            Assert.DoesNotContain("missing a readme", pack.Output);

            File.WriteAllText(Path.Combine(app, "nuget.config"), $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <packageSources>
                    <add key="local" value="{feed}" />
                    <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
                  </packageSources>
                </configuration>
                """);
            File.WriteAllText(Path.Combine(app, "App.csproj"), $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <OutputType>Exe</OutputType>
                    <TargetFramework>net10.0</TargetFramework>
                    <Nullable>enable</Nullable>
                  </PropertyGroup>
                  <ItemGroup>
                    <PackageReference Include="Kiln" Version="{version}" />
                  </ItemGroup>
                </Project>
                """);
            File.WriteAllText(Path.Combine(app, "Program.cs"), """
                using Kiln;
                using Kiln.Nn;

                using var device = Device.ManagedCpu();
                var model = new Fit(device, seed: 1);
                using var step = model.CompileLoss(n: 3);
                var opt = new Sgd(model.Parameters, lr: 0.02f);
                float loss = 0;
                for (int i = 0; i < 500; i++) { opt.ZeroGrad(); loss = step.ForwardBackward([1f, 2f, 3f], [3f, 5f, 7f]); opt.Step(); }
                System.Console.WriteLine($"loss={loss:F6} w={model.Parameters.Get("line.weight")[0]:F3}");
                return loss < 1e-3f ? 0 : 1;

                [Model]
                public partial class Fit
                {
                    [Module(1, 1)] Linear line;
                    [Loss] public Tensor Loss([Shape("N", 1)] Tensor x, [Shape("N", 1)] Tensor y) => Losses.MseLoss(line.Forward(x), y);
                }
                """);
            var run = Dotnet("run", app);
            Assert.True(run.Code == 0, run.Output);
            Assert.Contains("w=2.0", run.Output);
        }
        finally
        {
            try { Directory.Delete(root, recursive: true); } catch (IOException) { }
        }
    }
}
