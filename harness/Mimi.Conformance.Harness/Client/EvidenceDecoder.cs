using System.Text.Json;
using System.Text.Json.Nodes;
using Mimi.Conformance.Protocol.Cbor;
using Mimi.Conformance.Protocol.Profile;

namespace Mimi.Conformance.Harness.Client;

/// <summary>Finds profile CBOR objects (mapping, removal) inside JSON bodies and renders them in diagnostic notation.</summary>
public static class EvidenceDecoder
{
    private static readonly HashSet<string> CborFields = ["mapping", "removal"];

    public static IReadOnlyList<string> Diagnostics(params byte[]?[] bodies)
    {
        var lines = new List<string>();
        foreach (var body in bodies)
        {
            // Invalid UTF-8 parses lazily and throws only when a string is read: it is the DP's defect, left to the test.
            if (body is null || body.Length == 0 || body.Length > 256 * 1024 || !System.Text.Unicode.Utf8.IsValid(body))
                continue;
            JsonNode? node;
            try
            {
                node = JsonNode.Parse(body, documentOptions: new JsonDocumentOptions { MaxDepth = 32, AllowDuplicateProperties = false });
            }
            catch (JsonException)
            {
                continue;
            }
            Walk(node, lines);
        }
        return lines;
    }

    private static void Walk(JsonNode? node, List<string> lines)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (key, value) in o)
                {
                    if (CborFields.Contains(key) && value is JsonValue v && v.TryGetValue<string>(out var s) && B64.TryDecode(s, out var bytes) && lines.Count < 20)
                        lines.Add($"{key}: {CborDiagnostic.ToDiagnostic(bytes, embeddedCbor: true)}");
                    else
                        Walk(value, lines);
                }
                break;
            case JsonArray a:
                foreach (var item in a)
                    Walk(item, lines);
                break;
        }
    }
}
