using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using FluentAssertions;
using Mimi.Conformance.Harness.Client;
using Mimi.Conformance.Harness.Roles;
using Mimi.Conformance.Harness.Tests.ReferenceDp;
using Mimi.Conformance.Protocol.Profile;

namespace Mimi.Conformance.Harness.Tests.Hardening;

/// <summary>No acknowledged write is lost to kill -9 mid-storm; 16 concurrent clients lose nothing and see no phantoms.</summary>
public sealed class CrashAndConcurrencyTests
{
    [Fact]
    public async Task Kill_9_during_a_publish_storm_loses_no_acknowledged_mapping()
    {
        var dir = Directory.CreateTempSubdirectory("mimi-crash-").FullName;
        var parties = new Parties("crash-storm", TimeProvider.System);
        var acknowledged = new ConcurrentBag<string>();
        try
        {
            string dpId;
            using (var process = ReferenceDpProcessTests.StartProcess(dir))
            {
                var ready = await ReferenceDpProcessTests.ReadReadyAsync(process, dir);
                dpId = ready["dp_id"]!.GetValue<string>();
                using var client = ReferenceDpProcessTests.ClientOf(ready);
                var (profile, _, problem) = await ProfileClient.ConnectAsync(client, TestContext.Current.CancellationToken);
                profile.Should().NotBeNull(problem);
                (await profile!.TestControl!.TrustAsync([parties.Csip.Trusted], TestContext.Current.CancellationToken)).Status.Should().Be(204);

                // Four publishers; the kill lands while they are mid-flight, after at least 40 acknowledgements.
                using var stop = new CancellationTokenSource();
                var publishers = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
                {
                    for (var i = 0; i < 500 && !stop.IsCancellationRequested; i++)
                    {
                        var csi = parties.NewE164();
                        var mapping = MappingBuilder.For(parties, dpId, csi, parties.NewRecipientKey()).Build().Cose;
                        try
                        {
                            var response = await profile.PublishAsync(mapping, ct: stop.Token);
                            if (response.TransportError is not null)
                                return; // the DP died under us: stop publishing
                            if (response.Status == 201)
                                acknowledged.Add(csi);
                        }
                        catch (OperationCanceledException)
                        {
                            return; // the kill is done: stop publishing
                        }
                    }
                })).ToArray();
                while (acknowledged.Count < 40 && !publishers.All(p => p.IsCompleted))
                    await Task.Delay(5, TestContext.Current.CancellationToken);
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(TestContext.Current.CancellationToken);
                await stop.CancelAsync();
                await Task.WhenAll(publishers);
            }

            acknowledged.Count.Should().BeGreaterThanOrEqualTo(40);
            await using var restarted = await DpTestHost.StartAsync(dir);
            var missing = new List<string>();
            foreach (var csi in acknowledged)
            {
                var (_, body) = await restarted.LookupAsync(csi);
                if (body?["status"]?.GetValue<string>() != "found")
                    missing.Add(csi);
            }
            TestContext.Current.AddAttachment("storm", $"acknowledged before kill -9: {acknowledged.Count}; missing after restart: {missing.Count}", replaceExistingValue: true);
            missing.Should().BeEmpty("every 201 must survive kill -9");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Sixteen_concurrent_clients_lose_nothing_and_see_no_phantoms()
    {
        await using var dp = await DpTestHost.StartAsync();
        var parties = new Parties("concurrency", TimeProvider.System);
        await dp.TrustAsync(parties);
        var shared = parties.NewE164();
        var sharedLive = new ConcurrentDictionary<string, bool>();
        var problems = new ConcurrentBag<string>();

        await Parallel.ForEachAsync(Enumerable.Range(0, 16), new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = TestContext.Current.CancellationToken }, async (client, ct) =>
        {
            var own = parties.NewE164();
            var live = new List<(string Id, Mimi.Conformance.Protocol.Crypto.SigningKey Key)>();
            for (var round = 0; round < 8; round++)
            {
                var key = parties.NewRecipientKey();
                var csi = round % 2 == 0 ? own : shared;
                var (cose, payload) = MappingBuilder.For(parties, dp.DpId, csi, key, [$"tag:concurrency.test,2026:c{client}r{round}"]).Build();
                var (status, _) = await dp.PublishAsync(cose);
                if (status != 201)
                {
                    problems.Add($"client {client} round {round}: publish {status}");
                    continue;
                }
                var id = MappingPayload.IdOf(payload.Encode());
                if (csi == shared)
                    sharedLive[id] = true;
                else
                    live.Add((id, key));
                if (round % 4 == 3 && live.Count > 0)
                {
                    var (victim, victimKey) = live[0];
                    var (removed, _) = await dp.RemoveAsync(MappingBuilder.Removal(parties, victimKey, "recipient", dp.DpId, own, victim));
                    if (removed != 200)
                        problems.Add($"client {client}: remove {removed}");
                    live.RemoveAt(0);
                }
                var (_, body) = await dp.LookupAsync(own);
                var served = (body?["mappings"] as JsonArray ?? []).Select(m => m!["mapping_id"]!.GetValue<string>()).ToHashSet();
                if (!served.SetEquals(live.Select(l => l.Id)))
                    problems.Add($"client {client} round {round}: own CSI serves {served.Count}, expected {live.Count}");
            }
        });

        var (_, sharedBody) = await dp.LookupAsync(shared);
        var sharedServed = (sharedBody?["mappings"] as JsonArray ?? []).Select(m => m!["mapping_id"]!.GetValue<string>()).ToHashSet();
        sharedServed.Should().BeEquivalentTo(sharedLive.Keys, "every acknowledged mapping on the shared CSI is served, and nothing else");
        problems.Should().BeEmpty();
    }
}
