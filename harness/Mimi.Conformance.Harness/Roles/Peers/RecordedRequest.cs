using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Mimi.Conformance.Harness.Roles.Peers;

/// <summary>One request a fake peer DP received, exactly as it arrived (headers in order, body bytes up to the cap).</summary>
public sealed record RecordedRequest(string Method, string Path, IReadOnlyList<KeyValuePair<string, string>> Headers, byte[] Body, DateTimeOffset ReceivedAt)
{
    /// <summary>Header names whose values are secrets: evidence shows their length, never their value.</summary>
    public static IReadOnlySet<string> SecretHeaders { get; } = new HashSet<string>(["Authorization", "Proxy-Authorization", "Cookie", "Set-Cookie"], StringComparer.OrdinalIgnoreCase);

    /// <summary>True when the body was longer than the fake's cap and only its start was kept.</summary>
    public bool Truncated { get; init; }

    public bool HasHeader(string name) => Headers.Any(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase));

    public string? Header(string name) => Headers.FirstOrDefault(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Value;

    /// <summary>The body as a JSON object, or null when it is not one.</summary>
    public JsonObject? Json
    {
        get
        {
            try
            {
                return JsonNode.Parse(Body, documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false }) as JsonObject;
            }
            catch (JsonException)
            {
                return null;
            }
        }
    }

    /// <summary>The request as text for evidence, secret header values replaced by their length.</summary>
    public string Describe()
    {
        var sb = new StringBuilder();
        sb.Append(Method).Append(' ').Append(Path).Append('\n');
        foreach (var (name, value) in Headers)
            sb.Append(name).Append(": ").Append(SecretHeaders.Contains(name) ? $"<redacted, {value.Length} chars>" : value).Append('\n');
        sb.Append('\n');
        sb.Append(Encoding.UTF8.GetString(Body));
        if (Truncated)
            sb.Append("\n… (truncated)");
        return sb.ToString();
    }
}
