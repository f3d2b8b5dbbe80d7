using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Mimi.Conformance.Protocol.Profile;
using Mimi.Conformance.ReferenceDp.Endpoints;
using Mimi.Conformance.ReferenceDp.Faults;
using Mimi.Conformance.ReferenceDp.Hosting;
using static Mimi.Conformance.Protocol.Profile.ProfileConstants;

namespace Mimi.Conformance.ReferenceDp;

/// <summary>
/// The reference DP as a process. Prints one line, <c>MIMI-DP-READY {json}</c>, when it accepts connections
/// (the same JSON goes to DATA/ready.json), then serves until SIGTERM or Ctrl-C. Exit 2 on bad arguments.
/// </summary>
internal static class Program
{
    public const string ReadyPrefix = "MIMI-DP-READY ";
    public const string ReadyFileName = "ready.json";

    private const string Usage = """
        usage: Mimi.Conformance.ReferenceDp --data DIR [options]
          --data DIR             data directory (dp.sqlite, dp-signing.key, dp-cert.pem, ready.json); required
          --port N               TCP port, 0 = any free port (default 0)
          --bind ADDR            listen address (default 127.0.0.1)
          --dp-id ID             this DP's dp_id (default mimi://reference-dp.conformance.test)
          --fault NAME           start with a deliberate defect; repeatable (--list-faults)
          --no-test-control      do not offer the test-control endpoints
          --anti-enumeration     claim the anti-enumeration class: Privacy Pass tokens for anonymous lookups
          --trust-csip OWNER=X   trust a CSIP key (X = base64url Ed25519 public key); repeatable
          --trust-msp OWNER=X    trust an MSP key; repeatable
        """;

    public static async Task<int> Main(string[] args)
    {
        ReferenceDpOptions options;
        try
        {
            var parsed = Parse(args);
            if (parsed is null)
                return 0;
            options = parsed;
        }
        catch (UsageException e)
        {
            await Console.Error.WriteLineAsync($"error: {e.Message}{Environment.NewLine}{Usage}");
            return 2;
        }

        var readyFile = Path.Combine(Path.GetFullPath(options.DataDirectory), ReadyFileName);
        RunningDp dp;
        try
        {
            // A stale ready.json from an earlier run must not be mistaken for this one.
            Directory.CreateDirectory(Path.GetDirectoryName(readyFile)!);
            File.Delete(readyFile);
            dp = await ReferenceDpHost.StartAsync(options, CancellationToken.None);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or ArgumentException)
        {
            await Console.Error.WriteLineAsync($"error: the reference DP did not start: {e.Message}");
            return 2;
        }

        await using (dp)
        {
            var ready = JsonSerializer.Serialize(dp.Ready, DpJson.Default.ReadyInfo);
            var tmp = readyFile + ".tmp";
            await File.WriteAllTextAsync(tmp, ready + "\n");
            File.Move(tmp, readyFile, overwrite: true);
            await Console.Out.WriteLineAsync(ReadyPrefix + ready);
            await Console.Out.FlushAsync();

            using var stop = new CancellationTokenSource();
            void OnSignal(PosixSignalContext c)
            {
                c.Cancel = true;
                stop.Cancel();
            }
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
            using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
            try
            {
                await Task.Delay(Timeout.Infinite, stop.Token);
            }
            catch (OperationCanceledException)
            {
                // Signalled: fall through to a clean stop.
            }
        }
        File.Delete(readyFile);
        return 0;
    }

    /// <summary>Parses the command line; null means help was printed.</summary>
    internal static ReferenceDpOptions? Parse(IReadOnlyList<string> args)
    {
        string? data = null, bind = null, dpId = null;
        var port = 0;
        var testControl = true;
        var antiEnumeration = false;
        var faults = new HashSet<string>(StringComparer.Ordinal);
        var trusted = new List<TrustedKey>();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            string Value() => i + 1 < args.Count ? args[++i] : throw new UsageException($"{arg} needs a value");
            switch (arg)
            {
                case "--data": data = Value(); break;
                case "--bind": bind = Value(); break;
                case "--dp-id": dpId = Value(); break;
                case "--port":
                    var p = Value();
                    if (!int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port > 65535)
                        throw new UsageException($"--port takes 0..65535, got \"{p}\"");
                    break;
                case "--fault":
                    var f = Value();
                    if (!FaultRegistry.IsKnown(f))
                        throw new UsageException($"unknown fault \"{f}\". Valid faults:{Environment.NewLine}{FaultRegistry.Describe()}");
                    faults.Add(f);
                    break;
                case "--no-test-control": testControl = false; break;
                case "--anti-enumeration": antiEnumeration = true; break;
                case "--trust-csip": trusted.Add(TrustArg(SignerRoles.Csip, arg, Value())); break;
                case "--trust-msp": trusted.Add(TrustArg(SignerRoles.Msp, arg, Value())); break;
                case "--list-faults":
                    Console.Out.WriteLine(FaultRegistry.Describe());
                    return null;
                case "-h" or "--help":
                    Console.Out.WriteLine(Usage);
                    return null;
                default: throw new UsageException($"unknown argument \"{arg}\"");
            }
        }
        if (string.IsNullOrWhiteSpace(data))
            throw new UsageException("--data DIR is required");
        return new ReferenceDpOptions
        {
            DataDirectory = data,
            Port = port,
            BindAddress = bind ?? "127.0.0.1",
            DpId = dpId ?? ReferenceDpOptions.DefaultDpId,
            Faults = faults,
            TestControl = testControl,
            AntiEnumeration = antiEnumeration,
            TrustedKeys = trusted,
        };
    }

    private static TrustedKey TrustArg(string role, string flag, string value)
    {
        var eq = value.LastIndexOf('=');
        if (eq <= 0 || !B64.TryDecode(value[(eq + 1)..], out var key) || key.Length != 32)
            throw new UsageException($"{flag} takes OWNER=X with X a base64url 32-byte Ed25519 public key");
        return new TrustedKey(role, value[..eq], key);
    }

    private sealed class UsageException(string message) : Exception(message);
}
