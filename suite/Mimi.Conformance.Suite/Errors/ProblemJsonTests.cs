using System.Text;
using Mimi.Conformance.Suite.Infrastructure;
using static Mimi.Conformance.Protocol.Profile.ProfileConstants;

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

    [Fact, Requirement("PROF-ERR-01")]
    [Requirement("PROF-ERR-04")]
    public async Task A_path_that_is_no_profile_endpoint_gets_404_not_found()
    {
        var response = Expect.Reachable(await dp.Client.PostRawAsync("/v1/no-such-endpoint", "{}"u8.ToArray(), "application/json"), "unknown path");
        Expect.Refused(response, "unknown path", 404, Problems.NotFound);
    }

    [Fact, Requirement("PROF-ERR-01")]
    [Requirement("PROF-ERR-05")]
    public async Task Another_method_on_a_profile_endpoint_gets_405_naming_the_allowed_methods()
    {
        foreach (var path in new[] { dp.Meta.PublishPath, dp.Meta.LookupPath, dp.Meta.RemovePath })
        {
            var response = Expect.Reachable(await dp.Client.SendAsync(HttpMethod.Put, dp.Client.Resolve(path), "{}"u8.ToArray(), "application/json"), $"PUT {path}");
            Expect.Refused(response, $"PUT {path}", 405, Problems.MethodNotAllowed);
            var allow = response.Headers.GetValueOrDefault("allow") ?? "";
            var named = allow.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            Expect.That(named.Contains("POST", StringComparer.OrdinalIgnoreCase), $"PUT {path}: Allow", "an Allow header naming POST", allow.Length == 0 ? "(no Allow header)" : allow);
        }
    }

    public static TheoryData<string, string, string, string?> TypedRefusals => new()
    {
        { "unknown-path", "/v1/no-such-endpoint", "{}", "application/json" },
        { "wrong-content-type", "lookup", "{\"csi\":\"+15550000000\",\"csi_type\":\"e164\"}", "text/plain" },
        { "not-json", "lookup", "{not json", "application/json" },
        { "unknown-csi-type", "lookup", "{\"csi\":\"+15550000000\",\"csi_type\":\"fax\"}", "application/json" },
    };

    private static readonly Dictionary<string, int> TableStatus = new()
    {
        [Problems.MalformedRequest] = 400, [Problems.UnsupportedMediaType] = 415, [Problems.PayloadTooLarge] = 413,
        [Problems.MethodNotAllowed] = 405, [Problems.NotFound] = 404, [Problems.InvalidMapping] = 400,
        [Problems.UnsupportedCsi] = 400, [Problems.InvalidSignature] = 422, [Problems.PopInvalid] = 422,
        [Problems.WrongDp] = 422, [Problems.Expired] = 422, [Problems.Replayed] = 409, [Problems.Conflict] = 409,
        [Problems.StaleAssignment] = 409, [Problems.Unauthorized] = 403, [Problems.TestControlDisabled] = 404,
        [Problems.TokenRequired] = 401, [Problems.InvalidToken] = 401, [Problems.Unauthenticated] = 401,
        [Problems.RateLimited] = 429, [Problems.PeerUnavailable] = 502,
    };

    [Theory, Requirement("PROF-ERR-01")]
    [Requirement("PROF-ERR-03")]
    [MemberData(nameof(TypedRefusals))]
    public async Task The_status_member_equals_the_http_status_the_table_gives_for_the_type(string label, string path, string body, string? contentType)
    {
        var target = path == "lookup" ? dp.Meta.LookupPath : path;
        var response = Expect.Reachable(await dp.Client.PostRawAsync(target, Encoding.UTF8.GetBytes(body), contentType), label);
        Expect.Problem(response, label);
        var member = response.Json?["status"]?.ToString() ?? "(none)";
        Expect.That(member == response.Status?.ToString(), $"{label}: status member", $"the HTTP status {response.Status}", member);
        var type = response.ProblemType ?? "";
        Expect.That(TableStatus.TryGetValue(type, out var expected) && expected == response.Status, $"{label}: table status",
            $"the status PROFILE.md §2 gives for {type}", TableStatus.TryGetValue(type, out var e) ? $"{response.Status} (the table gives {e})" : "a type outside the table");
    }
}
