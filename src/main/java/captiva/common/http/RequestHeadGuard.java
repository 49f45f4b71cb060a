package captiva.common.http;

import captiva.common.problem.Problem;
import io.micronaut.json.JsonMapper;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Guards one HTTP/1.1 connection before Micronaut sees its requests:
 *
 * <ul>
 *   <li>a request head must arrive within the header timeout (from its first byte, or from the
 *       connection's opening), or the client is answered 408 and disconnected;
 *   <li>a head the decoder could not read is answered 431 (headers too long), 414 (request line too
 *       long) or 400, as HTTP/1.1 and with a problem body, then the connection is closed;
 *   <li>a request with both Content-Length and Transfer-Encoding is refused (400) and the
 *       connection closed: a proxy in front may have framed it the other way, which is how requests
 *       are smuggled (RFC 9112 6.3 allows a server to refuse it; Netty would drop the
 *       Content-Length and go on);
 *   <li>Accept-Encoding is rewritten to standard codings only ({@link ContentCodings}).
 * </ul>
 *
 * Two handlers share this state: {@link #bytesIn()} sits before the HTTP codec and sees that a head
 * has started, {@link #requests()} sits after it and sees each decoded request. Both run on the
 * connection's event loop, so the state needs no locking.
 */
final class RequestHeadGuard {

    private static final AsciiString CONNECTION_CLOSE = HttpHeaderValues.CLOSE;

    private final Duration headerTimeout;
    private final JsonMapper json;

    private ChannelHandlerContext requestsContext;
    private ScheduledFuture<?> deadline;
    private boolean awaitingHead = true;
    private boolean refused;
    private int answersOwed;

    RequestHeadGuard(Duration headerTimeout, JsonMapper json) {
        this.headerTimeout = headerTimeout;
        this.json = json;
    }

    /**
     * The decoder's headers: they remember a Content-Length that the decoder drops next to
     * Transfer-Encoding.
     */
    static HttpHeadersFactory headersFactory(boolean validate) {
        return new HttpHeadersFactory() {
            @Override
            public HttpHeaders newHeaders() {
                return new FramingHeaders(validate);
            }

            @Override
            public HttpHeaders newEmptyHeaders() {
                return DefaultHttpHeadersFactory.headersFactory()
                        .withValidation(validate)
                        .newEmptyHeaders();
            }
        };
    }

    ChannelInboundHandlerAdapter bytesIn() {
        return new ChannelInboundHandlerAdapter() {
            @Override
            public void handlerAdded(ChannelHandlerContext ctx) {
                if (ctx.channel().isActive()) {
                    startClock(ctx);
                }
            }

            @Override
            public void channelActive(ChannelHandlerContext ctx) {
                startClock(ctx);
                ctx.fireChannelActive();
            }

            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (awaitingHead) {
                    startClock(ctx);
                }
                ctx.fireChannelRead(msg);
            }

            @Override
            public void channelInactive(ChannelHandlerContext ctx) {
                stopClock();
                ctx.fireChannelInactive();
            }
        };
    }

    ChannelDuplexHandler requests() {
        return new ChannelDuplexHandler() {
            @Override
            public void handlerAdded(ChannelHandlerContext ctx) {
                requestsContext = ctx;
            }

            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (refused) {
                    ReferenceCountUtil.release(msg);
                    return;
                }
                if (msg instanceof HttpRequest request) {
                    stopClock();
                    awaitingHead = false;
                    String refusal = refusal(request);
                    if (refusal != null) {
                        ReferenceCountUtil.release(msg);
                        refuse(statusOf(request), refusal);
                        return;
                    }
                    String codings =
                            ContentCodings.acceptable(
                                    request.headers().getAll(HttpHeaderNames.ACCEPT_ENCODING));
                    if (request.headers().contains(HttpHeaderNames.ACCEPT_ENCODING)) {
                        request.headers().set(HttpHeaderNames.ACCEPT_ENCODING, codings);
                    }
                    answersOwed++;
                }
                if (msg instanceof LastHttpContent) {
                    awaitingHead = true;
                }
                ctx.fireChannelRead(msg);
            }

            @Override
            public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                if (msg instanceof LastHttpContent) {
                    answersOwed--;
                }
                ctx.write(msg, promise);
            }
        };
    }

    /** Why the request cannot be served, in the client's terms; null when it can. */
    private static String refusal(HttpRequest request) {
        if (request.decoderResult().isFailure()) {
            Throwable cause = request.decoderResult().cause();
            if (cause instanceof TooLongHttpHeaderException) {
                return "The request's headers are too long.";
            }
            if (cause instanceof TooLongHttpLineException) {
                return "The request line (method, path and query) is too long.";
            }
            return "The request is not valid HTTP/1.1.";
        }
        if (request.headers() instanceof FramingHeaders headers
                && headers.contentLengthSent
                && request.headers().contains(HttpHeaderNames.TRANSFER_ENCODING)) {
            return "A request may not carry both Content-Length and Transfer-Encoding.";
        }
        return null;
    }

    private static HttpResponseStatus statusOf(HttpRequest request) {
        Throwable cause = request.decoderResult().cause();
        if (cause instanceof TooLongHttpHeaderException) {
            return HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE;
        }
        if (cause instanceof TooLongHttpLineException) {
            return HttpResponseStatus.REQUEST_URI_TOO_LONG;
        }
        return HttpResponseStatus.BAD_REQUEST;
    }

    private void startClock(ChannelHandlerContext ctx) {
        if (deadline == null && !refused) {
            deadline =
                    ctx.executor()
                            .schedule(
                                    this::headTooSlow,
                                    headerTimeout.toNanos(),
                                    TimeUnit.NANOSECONDS);
        }
    }

    private void stopClock() {
        if (deadline != null) {
            deadline.cancel(false);
            deadline = null;
        }
    }

    private void headTooSlow() {
        deadline = null;
        refuse(
                HttpResponseStatus.REQUEST_TIMEOUT,
                "The request's head did not arrive within " + headerTimeout.toSeconds() + " s.");
    }

    /**
     * Answers with a problem and closes: after any of these the connection's framing cannot be
     * trusted. While an earlier request's answer is still being written there is no way to answer
     * in order, so the connection is only closed.
     */
    private void refuse(HttpResponseStatus status, String detail) {
        refused = true;
        stopClock();
        ChannelHandlerContext ctx = requestsContext;
        if (ctx == null) {
            return;
        }
        if (answersOwed > 0) {
            ctx.close();
            return;
        }
        FullHttpResponse response =
                new DefaultFullHttpResponse(
                        HttpVersion.HTTP_1_1,
                        status,
                        Unpooled.wrappedBuffer(problem(status, detail)));
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, Problem.MEDIA_TYPE)
                .set(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes())
                .set(HttpHeaderNames.CONNECTION, CONNECTION_CLOSE);
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }

    private byte[] problem(HttpResponseStatus status, String detail) {
        try {
            return json.writeValueAsBytes(
                    new Problem("about:blank", status.reasonPhrase(), status.code(), detail, null));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Request headers that note whether a Content-Length was sent, even if the decoder removes it
     * later.
     */
    private static final class FramingHeaders extends DefaultHttpHeaders {
        private boolean contentLengthSent;

        FramingHeaders(boolean validate) {
            super(validate);
        }

        @Override
        public HttpHeaders add(CharSequence name, Object value) {
            if (HttpHeaderNames.CONTENT_LENGTH.contentEqualsIgnoreCase(name)) {
                contentLengthSent = true;
            }
            return super.add(name, value);
        }

        @Override
        public HttpHeaders add(String name, Object value) {
            return add((CharSequence) name, value);
        }
    }
}
