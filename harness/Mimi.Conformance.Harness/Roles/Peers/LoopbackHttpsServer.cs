using System.Net;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Mimi.Conformance.Protocol.Tls;

namespace Mimi.Conformance.Harness.Roles.Peers;

/// <summary>
/// An HTTPS server the harness itself runs (fake peer DPs, the hostile DP of the sender run): 127.0.0.1, a free port,
/// TLS 1.2 or 1.3 with a fresh self-signed certificate, request bodies capped.
/// </summary>
public static class LoopbackHttpsServer
{
    /// <summary>
    /// Starts a server whose requests go to the handler <paramref name="serve"/> makes from the app and its certificate
    /// (the server object that then owns both). On a failed start both are disposed and the error is rethrown.
    /// </summary>
    public static async Task<Uri> StartAsync(string name, long maxRequestBodyBytes, TimeProvider time,
        Func<WebApplication, X509Certificate2, RequestDelegate> serve, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(serve);
        var certificate = SelfSignedCertificate.Create(time, TimeSpan.FromDays(1));
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ApplicationName = name });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = maxRequestBodyBytes;
            k.Listen(IPAddress.Loopback, 0, listen =>
            {
                listen.Protocols = HttpProtocols.Http1AndHttp2;
                listen.UseHttps(new HttpsConnectionAdapterOptions { ServerCertificate = certificate, SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13 });
            });
        });
        var app = builder.Build();
        app.Run(serve(app, certificate));
        try
        {
            await app.StartAsync(ct);
        }
        catch
        {
            await app.DisposeAsync();
            certificate.Dispose();
            throw;
        }
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new Uri($"https://127.0.0.1:{new Uri(bound).Port}");
    }
}
