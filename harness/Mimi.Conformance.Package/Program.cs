using System.Reflection;
using Mimi.Conformance.Cli.Execution;
using Mimi.Conformance.Protocol.Crypto;
using Xunit.Runner.InProc.SystemConsole;

namespace Mimi.Conformance.Package;

/// <summary>
/// mimi-conformance as installed without the repository: the CLI's commands, and a hidden command that runs the
/// suite's in-process xunit runner, which the CLI starts as its suite child (<see cref="SuiteLauncher.Self"/>).
/// </summary>
internal static class Program
{
    private const string SuiteCommand = "internal-run-suite";

    public static async Task<int> Main(string[] args)
    {
        if (args is [SuiteCommand, .. var suiteArgs])
            return await new ConsoleRunner(suiteArgs, Assembly.Load("Mimi.Conformance.Suite")).EntryPoint(Console.In, Console.Out);
        if (LibsodiumProblem() is { } problem)
        {
            await Console.Error.WriteLineAsync($"mimi-conformance: cannot load libsodium, which every Ed25519 signature needs ({problem}); install libsodium (Debian: apt-get install libsodium-dev)");
            return 2;
        }
        return await Cli.Program.RunPackaged(args, SuiteLauncher.Self(SuiteCommand));
    }

    /// <summary>Null when libsodium loads: NSec binds it on first use, so one verification of a zero key loads it or fails.</summary>
    private static string? LibsodiumProblem()
    {
        try
        {
            _ = Ed25519.Verify(new byte[Ed25519.PublicKeySize], [], new byte[Ed25519.SignatureSize]);
            return null;
        }
        catch (Exception e) when (e is PlatformNotSupportedException or TypeInitializationException or DllNotFoundException or EntryPointNotFoundException or BadImageFormatException)
        {
            var cause = e.GetBaseException().Message;
            // Its first sentence: the loader's message goes on with every path it tried.
            var sentence = cause.IndexOf(". ", StringComparison.Ordinal);
            return (sentence > 0 ? cause[..sentence] : cause).Split('\n')[0].Trim();
        }
    }
}
