using System.Formats.Cbor;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mimi.Conformance.Harness.Results;

namespace Mimi.Conformance.Reporting;

/// <summary>A profile CBOR object found in a JSON body: where (request or response, JSON path) and its bytes.</summary>
internal sealed record CborField(string Side, string Path, byte[] Bytes);

/// <summary>The payload bytes a test published and the ones the DP served for the same CSI, when they differ.</summary>
internal sealed record PayloadDiff(string Csi, byte[] Published, byte[] Served, int PublishedSeq, int ServedSeq);

/// <summary>What the report reads out of recorded exchanges: direction, the CBOR objects in their bodies, byte diffs.</summary>
internal static class ExchangeEvidence
{
    private static readonly HashSet<string> CborKeys = ["mapping", "removal", "credential", "pop"];

    /// <summary>Requests a fake peer or the hostile DP received: the harness served them, so there is no response to show.</summary>
    public static bool IsInbound(Exchange exchange) =>
        exchange.Seq >= 1_000_000 || exchange.Url.Contains(" (received by ", StringComparison.Ordinal);

    public static IReadOnlyList<CborField> Fields(Exchange exchange)
    {
        var fields = new List<CborField>();
        Collect(exchange.RequestBody, IsInbound(exchange) ? "inbound request" : "request", fields);
        Collect(exchange.ResponseBody, "response", fields);
        return fields;
    }

    private static void Collect(string? body, string side, List<CborField> fields)
    {
        if (string.IsNullOrEmpty(body) || body.Length > 512 * 1024 || body[0] is not ('{' or '['))
            return;
        // A hostile body (duplicate members, deep nesting) is the DP's defect, left to the tests: nothing to decode.
        try
        {
            var node = JsonNode.Parse(body, documentOptions: new JsonDocumentOptions { MaxDepth = 32, AllowDuplicateProperties = false });
            Walk(node, "", side, fields);
        }
        catch (Exception e) when (e is JsonException or ArgumentException or InvalidOperationException)
        {
        }
    }

    private static void Walk(JsonNode? node, string path, string side, List<CborField> fields)
    {
        if (fields.Count >= 20)
            return;
        switch (node)
        {
            case JsonObject o:
                foreach (var (key, value) in o)
                {
                    var here = path.Length == 0 ? key : path + "." + key;
                    if (CborKeys.Contains(key) && value is JsonValue v && v.TryGetValue<string>(out var s) && TryBase64Url(s, out var bytes))
                        fields.Add(new CborField(side, here, bytes));
                    else
                        Walk(value, here, side, fields);
                }

                break;
            case JsonArray a:
                for (var i = 0; i < a.Count; i++)
                    Walk(a[i], path + "[" + i.ToString(System.Globalization.CultureInfo.InvariantCulture) + "]", side, fields);
                break;
        }
    }

    /// <summary>Published (a request's "mapping") against served (a response's) payload bytes, paired by the payload's csi.</summary>
    public static IReadOnlyList<PayloadDiff> PayloadDiffs(TestResult test)
    {
        var published = new Dictionary<string, (byte[] Payload, int Seq)>(StringComparer.Ordinal);
        var served = new List<(string Csi, byte[] Payload, int Seq)>();
        foreach (var x in test.Exchanges.Where(x => !IsInbound(x)))
        {
            foreach (var f in Fields(x).Where(f => f.Path.EndsWith("mapping", StringComparison.Ordinal)))
            {
                if (Payload(f.Bytes) is not { } p)
                    continue;
                if (f.Side == "request")
                    published.TryAdd(p.Csi, (p.Payload, x.Seq));
                else
                    served.Add((p.Csi, p.Payload, x.Seq));
            }
        }

        return served.Where(s => published.TryGetValue(s.Csi, out var p) && !p.Payload.AsSpan().SequenceEqual(s.Payload))
            .DistinctBy(s => Convert.ToHexString(s.Payload))
            .Take(4)
            .Select(s => new PayloadDiff(s.Csi, published[s.Csi].Payload, s.Payload, published[s.Csi].Seq, s.Seq))
            .ToList();
    }

    /// <summary>The payload bstr of a COSE_Sign (tag 98) and its "csi", or null.</summary>
    private static (string Csi, byte[] Payload)? Payload(byte[] cose)
    {
        try
        {
            var r = new CborReader(cose, CborConformanceMode.Lax);
            if (r.PeekState() == CborReaderState.Tag)
                r.ReadTag();
            r.ReadStartArray();
            r.SkipValue();
            r.SkipValue();
            var payload = r.ReadByteString();
            var m = new CborReader(payload, CborConformanceMode.Lax);
            m.ReadStartMap();
            while (m.PeekState() != CborReaderState.EndMap)
            {
                if (m.PeekState() == CborReaderState.TextString && m.ReadTextString() == "csi" && m.PeekState() == CborReaderState.TextString)
                    return (m.ReadTextString(), payload);
                m.SkipValue();
            }
        }
        catch (Exception e) when (e is CborContentException or InvalidOperationException or FormatException or OverflowException)
        {
        }

        return null;
    }

    private static bool TryBase64Url(string s, out byte[] bytes)
    {
        bytes = [];
        if (s.Length is 0 or > 400_000 || s.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_')))
            return false;
        var b64 = s.Replace('-', '+').Replace('_', '/');
        b64 += new string('=', (4 - (b64.Length % 4)) % 4);
        try
        {
            bytes = Convert.FromBase64String(b64);
            return bytes.Length > 0;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
