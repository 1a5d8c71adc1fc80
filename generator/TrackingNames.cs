namespace Kiln.Generator;

/// <summary>One name per pipeline step, so tests can assert each step is cached.</summary>
internal static class TrackingNames
{
    public const string Discover = nameof(Discover);
    public const string AllModels = nameof(AllModels);
    public const string Compile = nameof(Compile);
    public const string Source = nameof(Source);
    public const string Diagnostics = nameof(Diagnostics);
}
