using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;
using ApiCache.Consistency.Etcd;
using ApiCache.Consistency.Etcd.Protocol;
using ApiCache.Tests.Infrastructure;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace ApiCache.Tests.Consistency;

/// <summary>
/// A scripted etcd gRPC server on Kestrel (HTTP/2 only; h2c, or TLS with a required client
/// certificate): Range and Status answer the configured revision and version, a Watch answers
/// <c>created</c>, then the scripted history, then progress answers once the configured number of
/// progress requests has been ignored (as etcd ignores them while a watcher catches up).
/// </summary>
internal sealed class FakeEtcdServer : IAsyncDisposable
{
    private readonly LoopbackServer _server;
    private int _progressRequests;

    private FakeEtcdServer(LoopbackServer server, FakeEtcdScript script)
    {
        _server = server;
        Script = script;
    }

    /// <summary>What the server answers; change it between calls.</summary>
    public FakeEtcdScript Script { get; }

    /// <summary>The client URL, e.g. http://127.0.0.1:41234/.</summary>
    public Uri Endpoint => new(_server.Address.AbsoluteUri.TrimEnd('/') + "/");

    /// <summary>Every watch create request received.</summary>
    public ConcurrentQueue<WatchCreateRequest> WatchCreates { get; } = new();

    /// <summary>Every Range request received.</summary>
    public ConcurrentQueue<RangeRequest> Ranges { get; } = new();

    /// <summary>How many progress requests arrived.</summary>
    public int ProgressRequests => Volatile.Read(ref _progressRequests);

    /// <summary>The subject of the last client certificate seen (TLS only).</summary>
    public string? ClientSubject { get; private set; }

    /// <summary>Starts a server; with <paramref name="tls"/>, over TLS with this serving certificate, requiring client certificates from that CA.</summary>
    public static async Task<FakeEtcdServer> StartAsync((X509Certificate2 Serving, X509Certificate2 ClientCa)? tls = null)
    {
        var script = new FakeEtcdScript();
        FakeEtcdServer? fake = null;
        var server = await LoopbackServer.StartAsync(
            app =>
            {
                app.MapPost(EtcdGrpcClient.RangeMethod, context => fake!.UnaryAsync(context, RangeRequest.Parser, request =>
                {
                    fake!.Ranges.Enqueue(request);
                    return new RangeResponse { Header = new ResponseHeader { Revision = fake.Script.Revision } };
                }));
                app.MapPost(EtcdGrpcClient.StatusMethod, context => fake!.UnaryAsync(context, StatusRequest.Parser, _ =>
                    new StatusResponse { Header = new ResponseHeader { Revision = fake!.Script.Revision }, Version = fake.Script.Version }));
                app.MapPost(EtcdGrpcClient.WatchMethod, context => fake!.WatchAsync(context));
            },
            configureKestrel: kestrel =>
            {
                kestrel.ConfigureEndpointDefaults(listen => listen.Protocols = HttpProtocols.Http2);
                if (tls is { } certificates)
                {
                    kestrel.ConfigureHttpsDefaults(https =>
                    {
                        https.ServerCertificate = certificates.Serving;
                        https.ClientCertificateMode = ClientCertificateMode.RequireCertificate;
                        https.ClientCertificateValidation = (certificate, _, _) =>
                        {
                            using var chain = new X509Chain();
                            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                            chain.ChainPolicy.CustomTrustStore.Add(certificates.ClientCa);
                            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                            return chain.Build(certificate);
                        };
                    });
                }
            },
            https: tls is not null);
        fake = new FakeEtcdServer(server, script);
        return fake;
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private static async Task WriteAsync(HttpContext context, IMessage message)
    {
        await context.Response.Body.WriteAsync(GrpcFraming.Frame(message), context.RequestAborted);
        await context.Response.Body.FlushAsync(context.RequestAborted);
    }

    private async Task UnaryAsync<TRequest>(HttpContext context, MessageParser<TRequest> parser, Func<TRequest, IMessage> answer)
        where TRequest : IMessage<TRequest>
    {
        ClientSubject = context.Connection.ClientCertificate?.Subject ?? ClientSubject;
        var payload = await new GrpcMessageReader(context.Request.Body).ReadMessageAsync(context.RequestAborted);
        var request = parser.ParseFrom(payload!.Value.Span);
        context.Response.ContentType = GrpcFraming.ContentType;
        if (Script.Failure is { } failure)
        {
            // A trailers-only answer, as gRPC servers send for calls that fail at once.
            context.Response.Headers["grpc-status"] = failure.Status.ToString(System.Globalization.CultureInfo.InvariantCulture);
            context.Response.Headers["grpc-message"] = Uri.EscapeDataString(failure.Message);
            return;
        }

        await WriteAsync(context, answer(request));
        context.Response.AppendTrailer("grpc-status", "0");
    }

    private async Task WatchAsync(HttpContext context)
    {
        context.Response.ContentType = GrpcFraming.ContentType;
        var reader = new GrpcMessageReader(context.Request.Body);
        try
        {
            // Bounded: a lookup sends one create and at most a time-out's worth of progress requests.
            for (var i = 0; i < 10_000 && await reader.ReadMessageAsync(context.RequestAborted) is { } payload; i++)
            {
                var request = WatchRequest.Parser.ParseFrom(payload.Span);
                if (request.CreateRequest is { } create)
                {
                    WatchCreates.Enqueue(create);
                    await WriteAsync(context, new WatchResponse { Created = true, WatchId = 1, Header = new ResponseHeader { Revision = Script.Revision } });
                    foreach (var response in Script.History)
                    {
                        await WriteAsync(context, response);
                    }
                }
                else if (request.ProgressRequest is not null && Interlocked.Increment(ref _progressRequests) > Script.ProgressRequestsIgnored)
                {
                    await WriteAsync(context, new WatchResponse { WatchId = -1, Header = new ResponseHeader { Revision = Script.Revision } });
                }
            }

            context.Response.AppendTrailer("grpc-status", "0");
        }
        catch (OperationCanceledException)
        {
            // The client reset the stream: the lookup is done.
        }
        catch (IOException)
        {
            // Likewise, noticed while reading its body.
        }
    }
}
