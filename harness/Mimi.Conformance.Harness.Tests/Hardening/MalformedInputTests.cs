using System.Net.Http.Headers;
using FluentAssertions;
using Mimi.Conformance.Harness.Roles;
using Mimi.Conformance.Harness.Tests.ReferenceDp;

namespace Mimi.Conformance.Harness.Tests.Hardening;

/// <summary>The reference DP answers every request of the malformed corpus with a 4xx problem+json: never a 5xx, never a hang.</summary>
public sealed class MalformedInputTests
{
    [Fact]
    public async Task Every_malformed_request_gets_a_problem_json_4xx()
    {
        await using var dp = await DpTestHost.StartAsync();
        var parties = new Parties("malformed-corpus", TimeProvider.System);
        await dp.TrustAsync(parties);
        var corpus = MalformedCorpus.Generate(parties, dp.DpId);
        corpus.Should().HaveCountGreaterThanOrEqualTo(500);

        var failures = new List<string>();
        var byCategory = new SortedDictionary<string, int>();
        foreach (var request in corpus)
        {
            byCategory[request.Category] = byCategory.GetValueOrDefault(request.Category) + 1;
            using var message = new HttpRequestMessage(new HttpMethod(request.Method), request.Path);
            if (request.Body.Length > 0 || request.ContentType is not null)
            {
                message.Content = new ByteArrayContent(request.Body);
                if (request.ContentType is not null)
                    message.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(request.ContentType);
            }
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(10));
            try
            {
                using var response = await dp.Http.SendAsync(message, timeout.Token);
                var status = (int)response.StatusCode;
                var type = response.Content.Headers.ContentType?.MediaType;
                if (status is < 400 or >= 500 || type != "application/problem+json")
                    failures.Add($"{request.Category} {request.Method} {request.Path} ({request.Body.Length} B): {status} {type}");
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
            {
                failures.Add($"{request.Category} {request.Method} {request.Path} ({request.Body.Length} B): {e.GetType().Name} {e.Message}");
            }
        }

        TestContext.Current.AddAttachment("corpus", string.Join("\n", byCategory.Select(c => $"{c.Key}: {c.Value}")) + $"\ntotal: {corpus.Count}", replaceExistingValue: true);
        failures.Should().BeEmpty($"all {corpus.Count} malformed requests deserve a 4xx problem+json");
    }
}
