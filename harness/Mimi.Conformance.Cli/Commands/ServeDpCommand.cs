using System.CommandLine;
using System.Net;
using System.Security.Cryptography;
using Mimi.Conformance.Cli.Keys;
using Mimi.Conformance.Harness.Configuration;
using Mimi.Conformance.Protocol.Files;
using Mimi.Conformance.ReferenceDp.Faults;
using Mimi.Conformance.ReferenceDp.Hosting;

namespace Mimi.Conformance.Cli.Commands;

/// <summary>
/// `serve-dp`: the reference DP alone, safe by default. It binds to loopback, keeps its data (and private keys) in the
/// user's data directory, never under reports/, and offers test control only with --test-control, behind a token it
/// prints at start.
/// </summary>
internal static class ServeDpCommand
{
    public static Command Create()
    {
        var port = new Option<int>("--port") { Description = "TCP port (0 = any free port)", DefaultValueFactory = _ => 8443 };
        var bind = new Option<string>("--bind") { Description = "Listen address (default 127.0.0.1; anything else is reachable by others)", DefaultValueFactory = _ => "127.0.0.1" };
        var data = new Option<string?>("--data") { Description = "Data directory: SQLite store, signing key, certificate (default: the user's data directory)" };
        var fault = new Option<string[]>("--fault") { Description = "Fault mode (repeatable; vectors/self-test/faults.json)" };
        var testControl = new Option<bool>("--test-control") { Description = "Offer the test-control endpoints (PROFILE.md §8), behind a token printed at start" };
        var token = new Option<string?>("--test-control-token") { Description = "Use this test-control token instead of a fresh one" };
        var trust = new Option<string?>("--trust") { Description = "Trust these keys by configuration: a keys file (keys generate) or a /trust body (report.json run.harness.trust_body)" };
        var noAntiEnumeration = new Option<bool>("--no-anti-enumeration") { Description = "Do not claim the anti-enumeration class: anonymous lookups need no Privacy Pass token" };
        var dpId = new Option<string>("--dp-id") { Description = "This DP's dp_id (two DPs side by side need two)", DefaultValueFactory = _ => ReferenceDpOptions.DefaultDpId };
        var issueClients = new Option<int>("--issue-clients") { Description = "Issue N identified-client credentials by configuration into <data>/client-credentials.txt (for run --client-credentials)" };
        var cmd = new Command("serve-dp", "Run the reference DP alone; prints its URL, certificate and the command that certifies it") { port, bind, data, dpId, fault, testControl, token, trust, noAntiEnumeration, issueClients };
        cmd.SetAction(async (parse, ct) =>
        {
            var errors = new List<string>();
            var faults = parse.GetValue(fault) ?? [];
            if (faults.FirstOrDefault(f => !FaultRegistry.IsKnown(f)) is { } unknown)
                errors.Add($"unknown fault mode {unknown} (the list: vectors/self-test/faults.json)");
            var portValue = parse.GetValue(port);
            if (portValue is < 0 or > 65535)
                errors.Add($"--port takes 0..65535, got {portValue}");
            var address = parse.GetValue(bind)!;
            if (!IPAddress.TryParse(address, out var ip))
                errors.Add($"--bind takes an IP address, got \"{address}\"");
            var tokenValue = parse.GetValue(token);
            if (tokenValue is not null && !parse.GetValue(testControl))
                errors.Add("--test-control-token needs --test-control");
            var clientCount = parse.GetValue(issueClients);
            if (clientCount is < 0 or > 10_000)
                errors.Add($"--issue-clients takes 0..10000, got {clientCount}");
            if (clientCount > 0 && parse.GetValue(noAntiEnumeration))
                errors.Add("--issue-clients needs the anti-enumeration class; drop --no-anti-enumeration");
            var dpIdValue = parse.GetValue(dpId)!;
            if (!dpIdValue.StartsWith("mimi://", StringComparison.Ordinal) || dpIdValue.Length == "mimi://".Length)
                errors.Add($"--dp-id takes a mimi:// URI, got \"{dpIdValue}\"");
            if (errors.Count > 0)
                throw new ConfigurationException(string.Join("; ", errors));
            var trusted = parse.GetValue(trust) is { } trustFile ? HarnessKeys.LoadTrust(trustFile) : [];
            var dir = Path.GetFullPath(parse.GetValue(data) ?? Path.Combine(UserData.Directory, "dp-data"));
            Directory.CreateDirectory(dir);
            // A stale ready.json from an earlier run must not be mistaken for this one.
            File.Delete(Path.Combine(dir, RunningDp.ReadyFileName));
            var clients = Enumerable.Range(0, clientCount).Select(_ => Convert.ToHexString(RandomNumberGenerator.GetBytes(18)).ToLowerInvariant()).ToList();
            var clientsFile = Path.Combine(dir, "client-credentials.txt");
            if (clients.Count > 0)
                AtomicFile.Write(clientsFile, s => s.Write(System.Text.Encoding.UTF8.GetBytes(string.Join('\n', clients) + "\n")), ownerOnly: true);
            var controlToken = parse.GetValue(testControl) ? tokenValue ?? Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant() : null;
            RunningDp dp;
            try
            {
                dp = await ReferenceDpHost.StartAsync(new ReferenceDpOptions
                {
                    DataDirectory = dir,
                    Port = portValue,
                    BindAddress = address,
                    DpId = dpIdValue,
                    Faults = faults.ToHashSet(),
                    AntiEnumeration = !parse.GetValue(noAntiEnumeration),
                    TestControl = controlToken is not null,
                    TestControlToken = controlToken,
                    TrustedKeys = trusted,
                    IssuedClients = clients,
                }, ct);
            }
            catch (IOException e)
            {
                throw new ConfigurationException($"cannot listen on {address}:{portValue} ({e.Message.Split('\n')[0].Trim()}); pick another --port");
            }
            var readyFile = dp.WriteReadyFile();
            await using (dp)
            {
                if (!IPAddress.IsLoopback(ip!))
                    await Console.Error.WriteLineAsync($"warning: bound to {address}, not loopback: anyone who reaches this port can use the DP{(controlToken is null ? "" : " (test control still needs the token)")}");
                await Console.Out.WriteLineAsync($"reference DP listening at {dp.Url}");
                await Console.Out.WriteLineAsync($"data:        {dir} (ready.json says where and how to reach it, for scripts)");
                await Console.Out.WriteLineAsync($"certificate: {dp.CertificatePath}");
                await Console.Out.WriteLineAsync($"pin (sha256): {dp.PinSha256Hex}");
                if (clients.Count > 0)
                    await Console.Out.WriteLineAsync($"client credentials: {clients.Count} in {clientsFile}");
                if (trusted.Count > 0)
                    await Console.Out.WriteLineAsync($"trusts by configuration: {string.Join(", ", trusted.Select(k => $"{k.Role} {k.Owner}"))}");
                if (controlToken is null)
                {
                    await Console.Out.WriteLineAsync("test control: off (start with --test-control to offer it, behind a token)");
                    await Console.Out.WriteLineAsync($"certify it:  ./run.sh run --dp {dp.Url} --ca {dp.CertificatePath}{(trusted.Count > 0 ? " --keys <the keys file>" : "")}{(clients.Count > 0 ? $" --client-credentials {clientsFile}" : "")}");
                }
                else
                {
                    await Console.Out.WriteLineAsync($"test control: on, token {controlToken}");
                    await Console.Out.WriteLineAsync($"certify it:  ./run.sh run --dp {dp.Url} --ca {dp.CertificatePath} --allow-test-control --test-control-token {controlToken}");
                }
                await Console.Out.FlushAsync(ct);
                try
                {
                    await Task.Delay(Timeout.Infinite, ct);
                }
                catch (OperationCanceledException)
                {
                    // Ctrl-C or SIGTERM: stop cleanly.
                }
            }
            File.Delete(readyFile);
            return 0;
        });
        return cmd;
    }
}

/// <summary>`keys generate`: the harness's keys, made once and reused with --keys, so an operator configures trust once.</summary>
internal static class KeysCommand
{
    public static Command Create()
    {
        var output = new Option<string?>("--out") { Description = "Where to write the keys file (default: the user's data directory)" };
        var generate = new Command("generate", "Write a new keys file (mode 0600) and print the trust body to configure in the DP") { output };
        generate.SetAction(async (parse, ct) =>
        {
            var path = Path.GetFullPath(parse.GetValue(output) ?? HarnessKeys.DefaultPath);
            var identity = HarnessKeys.Generate(path);
            await Console.Out.WriteLineAsync($"keys file: {path} (secret: keep it out of reports/ and version control)");
            foreach (var k in identity.Keys)
                await Console.Out.WriteLineAsync($"  {k.Role,-4} {k.Owner,-34} kid {k.Kid}  key {k.PublicKey}");
            await Console.Out.WriteLineAsync("configure the DP to trust this body (the test-control /trust shape, PROFILE.md §8):");
            await Console.Out.WriteLineAsync(identity.TrustBody);
            await Console.Out.WriteLineAsync($"then: ./run.sh run --dp URL --ca FILE --keys {path}    (the reference DP: ./run.sh serve-dp --trust {path})");
            return 0;
        });
        return new Command("keys", "The harness's signing identity for certifying without test control") { generate };
    }
}
