using System.Text;
using Mimi.Conformance.Suite.Infrastructure;

namespace Mimi.Conformance.Suite.Errors;

/// <summary>Bad input gets a 4xx problem+json with a profile type, never a 5xx.</summary>
public sealed class ProblemJsonTests(ConformanceFixture dp)
{
    public static TheoryData<string, string, string?> BadRequests => new()
    {
        { "not-json", "{not json", "application/json" },
        { "wrong-content-type", "{\"csi\":\"+15550000000\",\"csi_type\":\"e164\"}", "text/plain" },
        { "wrong-field-type", "{\"csi\":12,\"csi_type\":\"e164\"}", "application/json" },
        { "bad-csi-syntax", "{\"csi\":\"555 0100\",\"csi_type\":\"e164\"}", "application/json" },
        { "unknown-csi-type", "{\"csi\":\"+15550000000\",\"csi_type\":\"fax\"}", "application/json" },
        { "deep-nesting", new string('[', 5000) + new string(']', 5000), "application/json" },
    };

    [Theory, Requirement("PROF-ERR-01")]
    [Requirement("PROF-ERR-02")]
    [MemberData(nameof(BadRequests))]
    public async Task Bad_lookup_gets_problem_json(string label, string body, string? contentType)
    {
        var response = Expect.Reachable(await dp.Client.PostRawAsync(dp.Meta.LookupPath, Encoding.UTF8.GetBytes(body), contentType), label);
        Expect.Problem(response, label);
    }

    [Fact, Requirement("PROF-ERR-01")]
    [Requirement("PROF-ERR-02")]
    public async Task Garbage_mapping_gets_problem_json()
    {
        var response = Expect.Reachable(await dp.Client.PostRawAsync(dp.Meta.PublishPath, Encoding.UTF8.GetBytes("{\"mapping\":\"2Ggg\"}"), "application/json"), "publish garbage");
        Expect.Problem(response, "garbage mapping");
    }
}
