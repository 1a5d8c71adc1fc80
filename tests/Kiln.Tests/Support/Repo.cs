using System;
using System.IO;

namespace Kiln.Tests.Support;

/// <summary>The repository root, found from the test's output folder.</summary>
public static class Repo
{
    public static string Root { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Compiler.sln"))) return dir.FullName;
        throw new InvalidOperationException("Compiler.sln not found above " + AppContext.BaseDirectory);
    }
}
