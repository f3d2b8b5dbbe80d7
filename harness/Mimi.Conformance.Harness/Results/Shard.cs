using System.Globalization;
using Mimi.Conformance.Harness.Configuration;

namespace Mimi.Conformance.Harness.Results;

/// <summary>
/// --shard K/N: requirement ids (after the other filters) in ordinal order, dealt round-robin; shard K keeps
/// positions K-1, K-1+N, ... Deterministic, disjoint, and together the shards cover the selection exactly.
/// </summary>
public sealed record Shard(int Index, int Count)
{
    public static Shard Parse(string text)
    {
        var parts = text.Split('/');
        if (parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var k)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            && n >= 1 && k >= 1 && k <= n)
            return new Shard(k, n);
        throw new ConfigurationException($"--shard \"{text}\" must be K/N with 1 <= K <= N, e.g. 1/2");
    }

    public IReadOnlySet<string> Select(IEnumerable<string> ids) =>
        ids.Order(StringComparer.Ordinal).Where((_, i) => i % Count == Index - 1).ToHashSet(StringComparer.Ordinal);

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Index}/{Count}");
}
