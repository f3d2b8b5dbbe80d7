namespace Mimi.Conformance.Harness.Requirements;

/// <summary>Where the repository's data lives, found from the running binary (or MIMI_REPO_ROOT).</summary>
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
                if (File.Exists(Path.Combine(dir.FullName, SolutionFile)))
                    return dir.FullName;
            }
            throw new DirectoryNotFoundException($"cannot find {SolutionFile} above {AppContext.BaseDirectory}; set MIMI_REPO_ROOT");
        }
    }

    public static string Vectors => Path.Combine(Root, "vectors");

    public static string CatalogPath => Path.Combine(Vectors, RequirementCatalog.FileName);

    /// <summary>The reference DP's own operator statement, used for the embedded DP when no --statement is given.</summary>
    public static string ReferenceDpStatement => Path.Combine(Root, "harness", "Mimi.Conformance.ReferenceDp", "operator-statement.json");
}
