namespace Mimi.Conformance.Harness.Tests.Reporting;

internal static class RepoPaths
{
    /// <summary>The repository root: the first folder above the test binaries that holds the solution file.</summary>
    public static string Root { get; } = FindRoot();

    public static string ReportSchema => Path.Combine(Root, "vectors", "schemas", "report.schema.json");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Mimi.Conformance.sln"))
                || File.Exists(Path.Combine(dir.FullName, "Mimi.Conformance.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("No folder above " + AppContext.BaseDirectory + " holds Mimi.Conformance.sln.");
    }
}
