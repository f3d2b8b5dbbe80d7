using System.Text;
using Mimi.Conformance.Harness.Client;
using Mimi.Conformance.Harness.Roles.Peers;
using Mimi.Conformance.Protocol.Profile;
using Mimi.Conformance.Protocol.Profile.Wire;
using Mimi.Conformance.Suite.Infrastructure;
using static Mimi.Conformance.Protocol.Profile.ProfileConstants;

namespace Mimi.Conformance.Suite.Federation;

/// <summary>
/// DISC-L-11A (PROFILE.md §11.6): a DP claiming anti-enumeration and federation gives each forward a rate-limit context
/// <c>rl</c> that lets a peer count one client's forwards without learning who it is. Read on the fake peers' side:
/// stable per identified client, peer and window, different otherwise; fresh for every token lookup; never the client's
/// credential, token or address.
/// </summary>
public sealed class RateLimitContextTests(ConformanceFixture dp, FederationPeers peers) : IClassFixture<FederationPeers>
{
    private readonly DpOperations _ops = new(dp);

    private async Task<PeerSetup> SetupAsync()
    {
        if (!dp.Meta.ConformanceClasses.Contains("anti-enumeration"))
            Expect.NotApplicable("rl is sent by a DP claiming both anti-enumeration and federation; this DP does not claim anti-enumeration");
        return await peers.EnsureAsync(dp);
    }

    private static LookupRequest ToPeers(string csi, params FakePeerDp[] peers) =>
        new(csi, CsiTypes.E164, Federation: new FederationRequest("client_selected", [.. peers.Select(p => p.DpId)]));

    private async Task LookupAsync(PeerSetup setup, LookupRequest request, string? bearer = null)
    {
        var answer = await _ops.LookupAsync(request, bearer is null ? null : [new("Authorization", $"Bearer {bearer}")]);
        setup.RecordEvidence();
        Expect.That(answer.FormatProblem is null, "lookup-answered", "HTTP 200 with a §6.3 lookup answer", answer.FormatProblem ?? "ok");
    }

    /// <summary>The rl of the last forward <paramref name="peer"/> received; present and 16 bytes of base64url, or the check fails.</summary>
    private static (string Text, byte[] Bytes) LastRl(FakePeerDp peer, string name)
    {
        var forwards = peer.RequestsTo(FakePeerDp.PeerLookupPath);
        var forward = forwards.Count > 0 ? forwards[^1] : null;
        var text = forward?.Json?["rl"] is System.Text.Json.Nodes.JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
        var ok = text is not null && B64.TryDecode(text, out var bytes) && bytes.Length == 16;
        Expect.That(ok, $"{name}:rl", $"the forward to {Short(peer.DpId)} carries rl, 16 bytes of base64url without padding (PROFILE.md §11.6)",
            forward is null ? "no forward" : text is null ? "no rl member" : $"\"{text}\"");
        B64.TryDecode(text, out var decoded);
        return (text!, decoded);
    }

    private static string Short(string dpId) => dpId.Replace("mimi://", "", StringComparison.Ordinal).Split('.')[0];

    [Fact, Requirement("DISC-L-11A")]
    [Requirement("PROF-AE-27")]
    [Requirement("PROF-AE-28")]
    public async Task An_identified_clients_rl_is_stable_per_peer_and_window_and_differs_for_another_client_peer_or_window()
    {
        var setup = await SetupAsync();
        var window = _ops.Tokens.Policy?.IdentifiedWindowSeconds;
        Expect.That(window is > 0, "identified-window-declared", "metadata rate_limit.identified.window_s", $"{window}");
        var x = await _ops.Tokens.NewCredentialAsync();
        var y = await _ops.Tokens.NewCredentialAsync();

        await LookupAsync(setup, ToPeers(_ops.Parties.NewE164(), setup.A, setup.B), x);
        var (xa, _) = LastRl(setup.A, "x-to-a");
        var (xb, _) = LastRl(setup.B, "x-to-b");
        // Two more of x to peer-a: at most one window boundary can fall between three lookups this close together.
        var again = new List<string> { xa };
        for (var i = 0; i < 2; i++)
        {
            await LookupAsync(setup, ToPeers(_ops.Parties.NewE164(), setup.A), x);
            again.Add(LastRl(setup.A, $"x-to-a-{i + 2}").Text);
        }
        await LookupAsync(setup, ToPeers(_ops.Parties.NewE164(), setup.A), y);
        var (ya, _) = LastRl(setup.A, "y-to-a");

        Expect.That(again.Zip(again.Skip(1)).Any(p => p.First == p.Second), "same-client-peer-window", "the same rl in consecutive forwards of one client to one peer within a window",
            string.Join(", ", again));
        Expect.That(xa != xb, "another-peer", "another rl for the same client's forward to another peer (peer-a vs peer-b)", $"{xa} vs {xb}");
        Expect.That(ya != again[^1], "another-client", "another rl for another client's forward to the same peer", $"{ya} vs {again[^1]}");

        var testControl = dp.TestControl!;
        try
        {
            var advance = await testControl.AdvanceClockAsync(window!.Value);
            if (!TestControlClient.Succeeded(advance))
                Expect.NotVerifiable($"test control /clock answered {advance.Describe()}");
            await LookupAsync(setup, ToPeers(_ops.Parties.NewE164(), setup.A), x);
            var (later, _) = LastRl(setup.A, "x-to-a-next-window");
            Expect.That(!again.Contains(later), "another-window", $"another rl for the same client and peer once test control moved the DP's clock by identified.window_s ({window} s)",
                $"{later} vs {string.Join(", ", again)}");
        }
        finally
        {
            await peers.ResetDpAsync(dp);
        }
    }

    [Fact, Requirement("DISC-L-11A")]
    [Requirement("PROF-AE-27")]
    [Requirement("PROF-AE-29")]
    public async Task Every_forward_of_a_token_lookup_gets_a_fresh_rl()
    {
        var setup = await SetupAsync();

        await LookupAsync(setup, ToPeers(_ops.Parties.NewE164(), setup.A, setup.B));
        var (a1, _) = LastRl(setup.A, "first-to-a");
        var (b1, _) = LastRl(setup.B, "first-to-b");
        await LookupAsync(setup, ToPeers(_ops.Parties.NewE164(), setup.A));
        var (a2, _) = LastRl(setup.A, "second-to-a");

        string[] all = [a1, b1, a2];
        Expect.That(all.Distinct().Count() == all.Length, "fresh", "three different rl values: the two forwards of one token lookup and a second token lookup's forward",
            string.Join(", ", all));
    }

    /// <summary>Where a secret shows up in an rl: any 8 bytes in common with any of its encodings (text, base64url, base64, hex).</summary>
    private static string? Leak(string rlText, byte[] rl, string name, string secret)
    {
        var forms = new List<byte[]> { Encoding.UTF8.GetBytes(secret) };
        if (B64.TryDecode(secret.TrimEnd('='), out var b64url))
            forms.Add(b64url);
        try
        {
            forms.Add(Convert.FromBase64String(secret));
        }
        catch (FormatException)
        {
        }
        try
        {
            forms.Add(Convert.FromHexString(secret));
        }
        catch (FormatException)
        {
        }
        static bool Shares(byte[] a, byte[] b) =>
            Enumerable.Range(0, Math.Max(0, a.Length - 7)).Any(i => b.AsSpan().IndexOf(a.AsSpan(i, 8)) >= 0);
        if (forms.Any(f => Shares(rl, f) || Shares(f, rl)))
            return $"rl {rlText} shares 8 bytes with the {name}";
        var text = Enumerable.Range(0, Math.Max(0, secret.Length - 7)).Select(i => secret.Substring(i, 8)).FirstOrDefault(w => rlText.Contains(w, StringComparison.OrdinalIgnoreCase));
        return text is null ? null : $"rl {rlText} contains \"{text}\" of the {name}";
    }

    [Fact, Requirement("DISC-L-11A")]
    [Requirement("PROF-AE-30")]
    public async Task The_rl_carries_nothing_the_client_sent()
    {
        var setup = await SetupAsync();
        var credential = await _ops.Tokens.NewCredentialAsync();
        const string address = "198.51.100.23";
        await LookupAsync(setup, ToPeers(_ops.Parties.NewE164(), setup.A), credential);
        var identified = LastRl(setup.A, "identified");

        // A token lookup made by hand, so the harness knows the token the DP saw.
        var request = ToPeers(_ops.Parties.NewE164(), setup.A);
        var challenged = Expect.Reachable(await dp.Profile.LookupWithAsync(request, null, [new("X-Forwarded-For", address)]), "token-less lookup");
        // A DP that answers without a token (PROF-AE-15's subject) forwarded already: its rl is checked against the address only.
        string? header = null;
        byte[]? token = null;
        if (ParsedChallenge.From(challenged, out _) is { } challenge)
        {
            token = await _ops.Tokens.TokenAsync(challenge);
            header = PrivacyPassClient.Authorization(token);
            var answered = Expect.Reachable(await dp.Profile.LookupWithAsync(request, header, [new("X-Forwarded-For", address)]), "token lookup");
            Expect.Status(answered, 200, "token-lookup-answered");
        }
        setup.RecordEvidence();
        var anonymous = LastRl(setup.A, "anonymous");

        string?[] leaks =
        [
            Leak(identified.Text, identified.Bytes, "bearer credential", credential),
            token is null ? null : Leak(anonymous.Text, anonymous.Bytes, "token", B64.Encode(token)),
            header is null ? null : Leak(anonymous.Text, anonymous.Bytes, "Authorization value", header),
            Leak(identified.Text, identified.Bytes, "X-Forwarded-For address", address),
            Leak(anonymous.Text, anonymous.Bytes, "X-Forwarded-For address", address),
        ];
        var found = leaks.OfType<string>().ToArray();
        Expect.That(found.Length == 0, "opaque", "rl shares nothing with the client's credential, token or address in any encoding (PROFILE.md §11.6)",
            found.Length == 0 ? $"identified {identified.Text}, anonymous {anonymous.Text}" : string.Join("; ", found));
    }
}
