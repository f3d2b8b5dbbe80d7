using System.Diagnostics;

namespace Mimi.Conformance.Suite.Infrastructure;

/// <summary>
/// Counts the HTTP requests this async flow starts (HttpClient's diagnostic events), so a test can prove that a piece
/// of work, such as sender-side verification, made no network call. Requests of other tests running at the same
/// time are not counted: the probe only counts events raised inside the flow that started it.
/// </summary>
internal sealed class NetworkProbe : IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>, IDisposable
{
    private static readonly AsyncLocal<NetworkProbe?> Active = new();
    private readonly List<IDisposable> _subscriptions = [];
    private readonly Lock _lock = new();
    private readonly IDisposable _all;
    private int _requests;

    private NetworkProbe() => _all = DiagnosticListener.AllListeners.Subscribe(this);

    public int Requests => Volatile.Read(ref _requests);

    public static NetworkProbe Start()
    {
        var probe = new NetworkProbe();
        Active.Value = probe;
        return probe;
    }

    public void OnNext(DiagnosticListener value)
    {
        if (value.Name == "HttpHandlerDiagnosticListener")
        {
            lock (_lock)
                _subscriptions.Add(value.Subscribe(this));
        }
    }

    public void OnNext(KeyValuePair<string, object?> value)
    {
        if (ReferenceEquals(Active.Value, this) && value.Key is "System.Net.Http.HttpRequestOut.Start" or "System.Net.Http.Request")
            Interlocked.Increment(ref _requests);
    }

    public void OnCompleted()
    {
    }

    public void OnError(Exception error)
    {
    }

    public void Dispose()
    {
        if (ReferenceEquals(Active.Value, this))
            Active.Value = null;
        _all.Dispose();
        lock (_lock)
        {
            foreach (var s in _subscriptions)
                s.Dispose();
        }
    }
}
