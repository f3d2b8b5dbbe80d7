using Mimi.Conformance.ReferenceDp.Discovery;
using Mimi.Conformance.ReferenceDp.Faults;
using static Mimi.Conformance.Protocol.Profile.ProfileConstants;

namespace Mimi.Conformance.ReferenceDp.Endpoints;

/// <summary>
/// The outermost middleware: every refusal becomes problem+json. Bad input arrives here as a ProblemException
/// or as Kestrel's BadHttpRequestException (body over the limit, truncated body) and always gets a 4xx;
/// anything else is a bug in the DP and is the only path to a 500.
/// </summary>
internal sealed class ErrorHandling(ILogger<ErrorHandling> logger, LivePolicy policy)
{
    public static readonly Duty AnswerProblemJson = new("errors.answer-problem-json");
    public static readonly Duty AnswerBadInputWith4xx = new("errors.answer-bad-input-with-4xx");
    public static readonly Duty StatusMemberMatches = new("errors.status-member-matches");

    public async Task InvokeAsync(HttpContext ctx, RequestDelegate next)
    {
        try
        {
            await next(ctx);
        }
        catch (ProblemException problem)
        {
            await TryWriteAsync(ctx, problem);
        }
        catch (BadHttpRequestException e)
        {
            var type = e.StatusCode == StatusCodes.Status413PayloadTooLarge ? Problems.PayloadTooLarge : Problems.MalformedRequest;
            await TryWriteAsync(ctx, new ProblemException(type, e.Message));
        }
        catch (Exception e) when (ctx.RequestAborted.IsCancellationRequested && e is OperationCanceledException or IOException)
        {
            // The client went away; there is nobody to answer.
        }
        catch (Exception e)
        {
            logger.LogError(e, "Unhandled error on {Method} {Path}", ctx.Request.Method, ctx.Request.Path);
            await TryWriteAsync(ctx, new ProblemException(ProblemCatalog.InternalError, "internal error in the reference DP"));
        }
    }

    private async Task TryWriteAsync(HttpContext ctx, ProblemException problem)
    {
        if (ctx.Response.HasStarted || ctx.RequestAborted.IsCancellationRequested)
        {
            ctx.Abort();
            return;
        }
        if (!policy.Performs(AnswerProblemJson))
        {
            foreach (var (name, value) in problem.Headers)
                ctx.Response.Headers[name] = value;
            await Replies.BytesAsync(ctx, ProblemCatalog.StatusOf(problem.Type), "text/html; charset=utf-8", "<html><body><h1>Bad request</h1></body></html>"u8.ToArray());
            return;
        }
        if (problem.Type == Problems.MalformedRequest && !policy.Performs(AnswerBadInputWith4xx))
        {
            await Replies.ProblemAsync(ctx, new ProblemException(ProblemCatalog.InternalError, "malformed input crashed the handler"));
            return;
        }
        // A DP that writes a fixed status member: it disagrees with the HTTP status of every non-400 refusal.
        if (problem.Status != 400 && !policy.Performs(StatusMemberMatches))
        {
            await Replies.ProblemAsync(ctx, problem, statusMember: 400);
            return;
        }
        await Replies.ProblemAsync(ctx, problem);
    }
}
