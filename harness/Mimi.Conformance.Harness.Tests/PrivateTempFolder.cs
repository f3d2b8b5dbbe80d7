[assembly: AssemblyFixture(typeof(Mimi.Conformance.Harness.Tests.PrivateTempFolder))]

namespace Mimi.Conformance.Harness.Tests;

/// <summary>
/// Gives the test process, and every process it starts, a temp folder of its own (TMPDIR), and removes it when the
/// tests end. Whatever a test left there is named in a cleanup failure, so a leak fails the run instead of piling up
/// in /tmp. Runs shared by many tests for the whole process live under <see cref="Shared"/>, which this fixture owns.
/// </summary>
public sealed class PrivateTempFolder : IDisposable
{
    private readonly string? _previous = Environment.GetEnvironmentVariable("TMPDIR");

    private const string SharedName = "shared-for-the-process";

    public PrivateTempFolder()
    {
        Root = Directory.CreateTempSubdirectory($"mimi-harness-tests-{Environment.ProcessId}-").FullName;
        Environment.SetEnvironmentVariable("TMPDIR", Root);
        // Child runtimes would leave their debugger pipes and diagnostic sockets here when a test kills them with -9.
        Environment.SetEnvironmentVariable("DOTNET_EnableDiagnostics", "0");
    }

    /// <summary>A folder under the private temp folder for what lives as long as the test process.</summary>
    public static string Shared(string name) => Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), SharedName, name)).FullName;

    public string Root { get; }

    public void Dispose()
    {
        Environment.SetEnvironmentVariable("TMPDIR", _previous);
        Environment.SetEnvironmentVariable("DOTNET_EnableDiagnostics", null);
        var left = Directory.EnumerateFileSystemEntries(Root).Select(Path.GetFileName).Where(n => n != SharedName).Order(StringComparer.Ordinal).ToList();
        Directory.Delete(Root, recursive: true);
        if (left.Count > 0)
            throw new InvalidOperationException($"tests left {left.Count} entries in the temp folder (now removed): {string.Join(", ", left.Take(20))}");
    }
}
