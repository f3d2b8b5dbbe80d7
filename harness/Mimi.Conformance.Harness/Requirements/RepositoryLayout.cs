namespace Mimi.Conformance.Harness.Requirements;

/// <summary>
/// The content root: the folder that holds vectors/ (profile, catalog, schemas, faults) and the reference DP's operator
/// statement, found from the running binary (or MIMI_REPO_ROOT). In a checkout it is the repository; a packaged install
/// (single-file executable, dotnet tool) lays the same files out beside its assemblies (docs/ARCHITECTURE.md §2).
/// </summary>
public static class RepositoryLayout
{
    public const string SolutionFile = "Mimi.Conformance.sln";

    public static string Root
    {
        get
        {
            if (Environment.GetEnvironmentVariable("MIMI_REPO_ROOT") is { Length: > 0 } fromEnv)
                return fromEnv;
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "vectors", RequirementCatalog.FileName)))
                    return dir.FullName;
            }
            throw new DirectoryNotFoundException($"cannot find vectors/{RequirementCatalog.FileName} above {AppContext.BaseDirectory}; set MIMI_REPO_ROOT");
        }
    }

    /// <summary>True in a checkout, false in a packaged install.</summary>
    public static bool IsRepository => File.Exists(Path.Combine(Root, SolutionFile));

    /// <summary>Where reports go by default: the checkout's reports/, or reports/ in the current folder for a packaged install.</summary>
    public static string Reports => Path.Combine(IsRepository ? Root : Environment.CurrentDirectory, "reports");

    public static string Vectors => Path.Combine(Root, "vectors");

    public static string CatalogPath => Path.Combine(Vectors, RequirementCatalog.FileName);

    /// <summary>The reference DP's own operator statement, used for the embedded DP when no --statement is given.</summary>
    public static string ReferenceDpStatement => Path.Combine(Root, ReferenceDpStatementPath);

    /// <summary>The statement's path under the content root (a packaged install lays it out at the same place).</summary>
    public const string ReferenceDpStatementPath = "harness/Mimi.Conformance.ReferenceDp/operator-statement.json";
}
