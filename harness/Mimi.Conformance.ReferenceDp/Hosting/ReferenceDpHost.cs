using System.Net;
using System.Security.Authentication;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Logging.Console;
using Mimi.Conformance.ReferenceDp.AntiEnumeration;
using Mimi.Conformance.ReferenceDp.Discovery;
using Mimi.Conformance.ReferenceDp.Endpoints;
using Mimi.Conformance.ReferenceDp.Faults;
using Mimi.Conformance.ReferenceDp.Federation;
using Mimi.Conformance.ReferenceDp.Lifecycle;
using Mimi.Conformance.ReferenceDp.Store;

namespace Mimi.Conformance.ReferenceDp.Hosting;

/// <summary>
/// Starts the reference DP in the calling process: Kestrel, HTTPS only (TLS 1.2/1.3) with a fresh self-signed
/// certificate, SQLite under the data directory. Used by Program (serve-dp), the CLI's embedded DP and the tests.
/// </summary>
public static class ReferenceDpHost
{
    public static readonly Duty ServeTls = new("transport.serve-tls");
    public static readonly Duty SetNoCookies = new("transport.set-no-cookies");

    /// <summary>Bodies up to this size are read (and discarded past max_body_bytes); larger ones are cut off.</summary>
    private const long DrainableBodyBytes = 1024 * 1024;

    public static async Task<RunningDp> StartAsync(ReferenceDpOptions options, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.DataDirectory))
            throw new ArgumentException("a data directory is required", nameof(options));
        if (options.Port is < 0 or > IPEndPoint.MaxPort)
            throw new ArgumentException($"port {options.Port} is out of range", nameof(options));
        if (string.IsNullOrWhiteSpace(options.DpId))
            throw new ArgumentException("dp_id must not be empty", nameof(options));
        if (options.Endpoints.Problem() is { } paths)
            throw new ArgumentException(paths, nameof(options));
        var policy = new LivePolicy(FaultRegistry.PolicyFor(options.Faults), options.DutyRecorder);
        var lacks = FaultRegistry.LackedBy(options.Faults);
        var testControl = options.TestControl && !lacks.HasFlag(DpFeatures.TestControl);
        var bind = ParseBindAddress(options.BindAddress);

        var dataDirectory = Path.GetFullPath(options.DataDirectory);
        Directory.CreateDirectory(dataDirectory);
        var identity = new DpIdentity(options.DpId, SigningKeyFile.LoadOrCreate(dataDirectory));
        var certificate = DpCertificate.Create(options.TimeProvider, bind);
        MappingStore? store = null;
        WebApplication? app = null;
        var peers = new PeerDirectory();
        var peerClient = new PeerClient(peers, options.PeerTimeout, policy);
        try
        {
            store = new MappingStore(dataDirectory);
            var clock = new AdjustableClock(options.TimeProvider);
            var limits = DpLimits.Default;
            var trust = new DpTrust(options.TrustedKeys, identity, store, peers);
            var plainHttp = !policy.Performs(ServeTls);

            var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
            {
                Args = [],
                ApplicationName = typeof(ReferenceDpHost).Assembly.GetName().Name,
                ContentRootPath = dataDirectory,
            });
            builder.Logging.ClearProviders();
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            // A failed start (e.g. a busy port) reaches the caller as an exception; the host need not log it too.
            builder.Logging.AddFilter("Microsoft.Extensions.Hosting", LogLevel.None);
            // stderr only: stdout carries exactly one line, the ready line.
            builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
            builder.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
            // The embedding process (Program, CLI, test runner) owns Ctrl-C/SIGTERM, not this host.
            builder.Services.AddSingleton<IHostLifetime, EmbeddedLifetime>();
            builder.WebHost.ConfigureKestrel(k =>
            {
                k.AddServerHeader = false;
                // The profile limit (max_body_bytes) is enforced by the endpoints. Kestrel's own cap is higher so
                // that, after a 413, it can still drain a moderately oversized body: closing a connection with
                // unread request bytes makes TCP reset it and the client may never see the 413.
                k.Limits.MaxRequestBodySize = DrainableBodyBytes;
                k.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(10);
                k.Limits.KeepAliveTimeout = TimeSpan.FromSeconds(30);
                k.Limits.MaxRequestHeadersTotalSize = 32 * 1024;
                k.Limits.MaxRequestLineSize = 8 * 1024;
                k.Listen(bind, options.Port, listen =>
                {
                    if (plainHttp)
                    {
                        listen.Protocols = HttpProtocols.Http1;
                        return;
                    }
                    listen.Protocols = HttpProtocols.Http1AndHttp2;
                    listen.UseHttps(new HttpsConnectionAdapterOptions
                    {
                        ServerCertificate = certificate,
                        SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                        HandshakeTimeout = TimeSpan.FromSeconds(10),
                    });
                });
            });
            app = builder.Build();
            app.Lifetime.ApplicationStopped.Register(peerClient.Dispose);

            var federationPolicy = options.Federation && !lacks.HasFlag(DpFeatures.Federation) && testControl ? new FederationPolicy(FederationModes.Local, options.Jurisdictions, options.ForwardJurisdictions) : null;
            AntiEnumerationEndpoints? antiEnumeration = null;
            AntiEnumerationStore? aeStore = null;
            if (options.AntiEnumeration)
            {
                aeStore = new AntiEnumerationStore(dataDirectory);
                foreach (var credential in options.IssuedClients)
                    aeStore.RegisterClient(credential, clock.GetUtcNow().ToUnixTimeSeconds());
                var rateLimits = AntiEnumerationPolicy.For(policy);
                var issuer = new PrivacyPassIssuer(IssuerKeyFile.LoadOrCreate(dataDirectory), new Uri(identity.DpId).Host, rateLimits.WindowSeconds, policy);
                antiEnumeration = new AntiEnumerationEndpoints(issuer, aeStore, rateLimits, clock, policy, store, federationPolicy?.Default);
            }
            var peerLimiter = federationPolicy is null ? null : new PeerLimiter(federationPolicy.PeerLimit, clock, policy);
            var metadata = new MetadataEndpoint(identity, limits, options.Endpoints, testControl, antiEnumeration is null ? null : () => antiEnumeration.Metadata, federationPolicy, peers, policy);
            // Invalidations go to every peer of the registry (PROFILE.md §11.1, §12.5) through the one pinned PeerClient.
            var broadcastLog = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger<InvalidationBroadcaster>();
            var broadcaster = new InvalidationBroadcaster(identity, clock, policy,
                () => [.. peers.Peers.Where(p => p.InvalidatePath is not null || policy.Performs(InvalidationBroadcaster.UseDefaultInvalidatePath))
                    .Select(p => new InvalidationTarget(p.DpId, p.Endpoint(p.InvalidatePath ?? Paths.Invalidate)))],
                async (url, body, ct) =>
                {
                    var reply = await peerClient.PostJsonAsync(url, body, ct);
                    if (!reply.Succeeded)
                        broadcastLog.LogWarning("invalidation to {Url} not accepted: {Reply}", url, reply.Describe());
                },
                broadcastLog);
            var lookup = new LookupService(store, clock, policy, limits);
            var federation = federationPolicy is null ? null : new FederationService(peers, peerClient, trust, identity, clock, policy, federationPolicy, limits,
                antiEnumeration is null ? null : RateLimitContext.LoadOrCreate(dataDirectory, AntiEnumerationPolicy.For(policy).IdentifiedWindowSeconds, clock, policy));
            var discovery = new DiscoveryEndpoints(
                options.Endpoints,
                new PublishService(identity, trust, store, clock, policy, limits, broadcaster),
                lookup,
                new RemovalService(identity, trust, store, clock, policy),
                new ImportService(identity, trust, store, clock, policy, broadcaster),
                new InvalidationService(identity, trust, store, clock, policy),
                limits,
                antiEnumeration is null ? null : antiEnumeration.AdmitLookupAsync,
                federation,
                identity.DpId);
            IEnumerable<DpRoute> routes = [metadata.Route, .. discovery.Routes, .. antiEnumeration?.Routes ?? []];
            if (federationPolicy is not null)
                routes = [.. routes, new PeerLookupEndpoint(options.Endpoints.PeerLookup, lookup, identity, limits, trust, store, clock, policy, peerLimiter!, antiEnumeration is null ? null : antiEnumeration.AdmitLookupAsync, federation).Route];
            if (testControl)
            {
                var peerControl = new PeerTestControl(peers, peerClient, trust, identity, limits, policy);
                Action onReset = () =>
                {
                    aeStore?.Reset();
                    peerLimiter?.Reset();
                    peerControl.Reset();
                };
                routes = [.. routes, .. new TestControlEndpoints(trust, store, clock, limits, identity, onReset, policy).Routes, .. peerControl.Routes, .. antiEnumeration?.TestControlRoutes ?? []];
            }
            var router = new Router(routes, testControl ? null : Paths.TestControl, options.TestControlToken, policy);
            var errors = new ErrorHandling(app.Services.GetRequiredService<ILogger<ErrorHandling>>(), policy);
            if (options.DutyRecorder is not null)
                app.Use((ctx, next) =>
                {
                    DutyRecorder.Attribute(ctx.Request.Headers[DutyRecorder.Header].ToString());
                    return next(ctx);
                });
            var policyFeature = new PolicyFeature(policy);
            app.Use((ctx, next) =>
            {
                ctx.Features.Set(policyFeature);
                return next(ctx);
            });
            app.Use((ctx, next) => errors.InvokeAsync(ctx, next));
            app.Use((ctx, next) => policy.Performs(SetNoCookies) ? next(ctx) : TrackingCookie(ctx, next));
            app.Run(router.DispatchAsync);

            await app.StartAsync(ct);
            // Written only once listening: a start that fails (a busy port) leaves a running DP's certificate alone.
            var certificatePath = DpCertificate.WritePem(certificate, dataDirectory);
            var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            var port = new Uri(bound).Port;
            var url = new Uri($"{(plainHttp ? "http" : "https")}://{AdvertisedHost(bind)}:{port}");
            return new RunningDp(app, store, certificate, policy, url, certificatePath, DpCertificate.PinSha256Hex(certificate), identity.DpId, dataDirectory);
        }
        catch
        {
            if (app is not null)
                await app.DisposeAsync();
            store?.Dispose();
            peerClient.Dispose();
            certificate.Dispose();
            throw;
        }
    }

    /// <summary>A persistent per-response identifier, what R6's cookie check looks for.</summary>
    private static Task TrackingCookie(HttpContext ctx, RequestDelegate next)
    {
        ctx.Response.OnStarting(() =>
        {
            // Stable per client address: it tracks the client, and leaves responses otherwise identical.
            var id = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"tracking/{ctx.Connection.RemoteIpAddress}")))[..16];
            ctx.Response.Headers.Append("Set-Cookie", $"mimi_tracking={id}; Path=/; Max-Age=31536000; Secure; HttpOnly");
            return Task.CompletedTask;
        });
        return next(ctx);
    }

    private static IPAddress ParseBindAddress(string address) =>
        address.Equals("localhost", StringComparison.OrdinalIgnoreCase) ? IPAddress.Loopback
        : IPAddress.TryParse(address, out var ip) ? ip
        : throw new ArgumentException($"bind address \"{address}\" is not an IP address");

    /// <summary>A wildcard bind is reached through loopback; IPv6 literals need brackets in URLs.</summary>
    private static string AdvertisedHost(IPAddress bind) =>
        bind.Equals(IPAddress.Any) ? "127.0.0.1"
        : bind.Equals(IPAddress.IPv6Any) ? "[::1]"
        : bind.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{bind}]"
        : bind.ToString();

    /// <summary>Starts and stops with the host, nothing else: no console or signal hooks.</summary>
    private sealed class EmbeddedLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
