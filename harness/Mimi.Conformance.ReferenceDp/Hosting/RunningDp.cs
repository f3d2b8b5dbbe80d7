using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Mimi.Conformance.Protocol.Files;
using Mimi.Conformance.ReferenceDp.Endpoints;
using Mimi.Conformance.ReferenceDp.Faults;
using Mimi.Conformance.ReferenceDp.Store;

namespace Mimi.Conformance.ReferenceDp.Hosting;

/// <summary>A started reference DP. Dispose to stop it and release its data directory.</summary>
public sealed class RunningDp : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly MappingStore _store;
    private readonly X509Certificate2 _serverCertificate;
    private readonly LivePolicy _policy;
    private int _disposed;

    internal RunningDp(WebApplication app, MappingStore store, X509Certificate2 serverCertificate, LivePolicy policy, Uri url, string certificatePath, string pinSha256Hex, string dpId, string dataDirectory)
    {
        _policy = policy;
        _app = app;
        _store = store;
        _serverCertificate = serverCertificate;
        Url = url;
        CertificatePath = certificatePath;
        PinSha256Hex = pinSha256Hex;
        DpId = dpId;
        DataDirectory = dataDirectory;
    }

    /// <summary>Base URL, e.g. https://127.0.0.1:41234 (http:// only under the serve-plain-http fault).</summary>
    public Uri Url { get; }

    /// <summary>Absolute path of the DP's public certificate (PEM).</summary>
    public string CertificatePath { get; }

    /// <summary>Lower-case hex SHA-256 of the certificate (DER), for pinning clients.</summary>
    public string PinSha256Hex { get; }

    public string DpId { get; }

    public string DataDirectory { get; }

    /// <summary>
    /// Switches the running DP to these faults (none: the correct DP), for every request from now on. Faults that shape
    /// the DP at start-up (<see cref="Fault.AtStart"/>) keep the shape it was started with.
    /// </summary>
    public void SwitchFaults(IReadOnlyCollection<string> faults) => _policy.Current = FaultRegistry.PolicyFor(faults);

    /// <summary>The file in the data directory that says, once the DP listens, where and how to reach it.</summary>
    public const string ReadyFileName = "ready.json";

    /// <summary>What ready.json carries.</summary>
    internal ReadyInfo Ready => new(Url.GetLeftPart(UriPartial.Authority), CertificatePath, PinSha256Hex, DpId);

    /// <summary>Writes ready.json (atomically, so a reader never sees half of it) and returns its path.</summary>
    public string WriteReadyFile()
    {
        var path = Path.Combine(DataDirectory, ReadyFileName);
        AtomicFile.Write(path, s => JsonSerializer.Serialize(s, Ready, DpJson.Default.ReadyInfo));
        return path;
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5)))
            await _app.StopAsync(timeout.Token);
        await _app.DisposeAsync();
        _store.Dispose();
        _serverCertificate.Dispose();
    }
}
