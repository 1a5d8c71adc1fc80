using System;
using System.IO;

namespace Kiln.Tests.Support;

/// <summary>A test class whose every test gets a fresh temporary folder (xunit makes one instance per test), deleted after it.</summary>
public abstract class TempFolder(string prefix) : IDisposable
{
    /// <summary>The folder.</summary>
    protected string Folder { get; } = Directory.CreateTempSubdirectory(prefix).FullName;

    /// <summary>A path inside the folder.</summary>
    protected string File(string name) => Path.Combine(Folder, name);

    public void Dispose()
    {
        Directory.Delete(Folder, recursive: true);
        GC.SuppressFinalize(this);
    }
}
