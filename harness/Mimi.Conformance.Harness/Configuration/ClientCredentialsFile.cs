namespace Mimi.Conformance.Harness.Configuration;

/// <summary>
/// --client-credentials FILE: identified-client credentials the DP's operator issued out of band (PROFILE.md §10.1),
/// one per line; blank lines and lines starting with # are skipped. Every mistake is one line.
/// </summary>
public static class ClientCredentialsFile
{
    public static IReadOnlyList<string> Load(string path)
    {
        if (!File.Exists(path))
            throw new ConfigurationException($"--client-credentials {path}: no such file");
        var credentials = File.ReadAllLines(path).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        if (credentials.Count == 0)
            throw new ConfigurationException($"--client-credentials {path}: no credential in it (one per line)");
        if (credentials.Distinct(StringComparer.Ordinal).Count() != credentials.Count)
            throw new ConfigurationException($"--client-credentials {path}: a credential is listed twice; each stands for one fresh client");
        return credentials;
    }
}
