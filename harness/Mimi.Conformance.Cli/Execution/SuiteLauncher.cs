using System.Diagnostics;

namespace Mimi.Conformance.Cli.Execution;

/// <summary>
/// How the suite's child process is started. A checkout runs the built suite with <c>dotnet</c>; a packaged install
/// (harness/Mimi.Conformance.Package) has no SDK and maybe no <c>dotnet</c>, so it starts its own executable with a
/// hidden command that hosts the suite's in-process xunit runner.
/// </summary>
public sealed record SuiteLauncher(string FileName, IReadOnlyList<string> Arguments, IReadOnlyDictionary<string, string> Environment)
{
    public static SuiteLauncher Checkout(string suiteAssembly) => new("dotnet", [suiteAssembly], new Dictionary<string, string>());

    /// <summary>This very program with <paramref name="hiddenCommand"/> first, whether it runs as an executable or under <c>dotnet</c>.</summary>
    public static SuiteLauncher Self(string hiddenCommand)
    {
        var program = System.Environment.ProcessPath ?? throw new InvalidOperationException("the path of this program is unknown");
        string[] arguments = Path.GetFileNameWithoutExtension(program) == "dotnet"
            ? [System.Reflection.Assembly.GetEntryAssembly()?.Location ?? throw new InvalidOperationException("no entry assembly"), hiddenCommand]
            : [hiddenCommand];
        // The suite's own runtimeconfig turns tiered compilation off (suite/Mimi.Conformance.Suite.csproj); a host carries its own runtimeconfig, so say it here.
        return new(program, arguments, new Dictionary<string, string> { ["DOTNET_TieredCompilation"] = "0" });
    }

    public ProcessStartInfo StartInfo()
    {
        var psi = new ProcessStartInfo(FileName) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in Arguments)
            psi.ArgumentList.Add(argument);
        foreach (var (name, value) in Environment)
            psi.Environment[name] = value;
        return psi;
    }
}
