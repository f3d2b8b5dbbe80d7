namespace Mimi.Conformance.Harness.Client;

/// <summary>
/// The identified-client credentials an operator issued out of band (--client-credentials), handed out once each:
/// a fresh client in a test is one no earlier test has used, as a test-control registration would give.
/// </summary>
public sealed class ClientCredentialPool(IReadOnlyList<string> credentials)
{
    private int _next = -1;

    /// <summary>How many credentials the operator gave.</summary>
    public int Count => credentials.Count;

    public bool TryTake(out string credential)
    {
        var index = Interlocked.Increment(ref _next);
        credential = index < credentials.Count ? credentials[index] : "";
        return index < credentials.Count;
    }
}
