package captiva.common.http;

import io.micronaut.context.event.BeanCreatedEvent;
import io.micronaut.context.event.BeanCreatedEventListener;
import io.micronaut.http.netty.channel.ChannelPipelineCustomizer;
import io.micronaut.http.server.netty.NettyServerCustomizer;
import io.micronaut.http.server.netty.configuration.NettyHttpServerConfiguration;
import io.micronaut.json.JsonMapper;
import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import jakarta.inject.Singleton;

/**
 * Puts a {@link RequestHeadGuard} on every HTTP/1.1 connection the server accepts, around the HTTP
 * codec (which it replaces by one with the same limits whose headers remember a Content-Length).
 */
@Singleton
class ConnectionGuards implements BeanCreatedEventListener<NettyServerCustomizer.Registry> {

    private static final String CODEC = ChannelPipelineCustomizer.HANDLER_HTTP_SERVER_CODEC;

    private final HttpProperties properties;
    private final NettyHttpServerConfiguration server;
    private final JsonMapper json;

    ConnectionGuards(
            HttpProperties properties, NettyHttpServerConfiguration server, JsonMapper json) {
        this.properties = properties;
        this.server = server;
        this.json = json;
    }

    @Override
    public NettyServerCustomizer.Registry onCreated(
            BeanCreatedEvent<NettyServerCustomizer.Registry> event) {
        event.getBean()
                .register(
                        new NettyServerCustomizer() {
                            @Override
                            public NettyServerCustomizer specializeForChannel(
                                    Channel channel, ChannelRole role) {
                                return role == ChannelRole.CONNECTION
                                        ? new OneConnection(channel)
                                        : this;
                            }
                        });
        return event.getBean();
    }

    private final class OneConnection implements NettyServerCustomizer {
        private final Channel channel;

        OneConnection(Channel channel) {
            this.channel = channel;
        }

        @Override
        public NettyServerCustomizer specializeForChannel(Channel channel, ChannelRole role) {
            return this;
        }

        @Override
        public void onStreamPipelineBuilt() {
            ChannelPipeline pipeline = channel.pipeline();
            if (pipeline.get(CODEC) == null) {
                return; // not an HTTP/1.1 connection
            }
            HttpDecoderConfig decoder =
                    new HttpDecoderConfig()
                            .setMaxInitialLineLength(server.getMaxInitialLineLength())
                            .setMaxHeaderSize(server.getMaxHeaderSize())
                            .setMaxChunkSize(server.getMaxChunkSize())
                            .setInitialBufferSize(server.getInitialBufferSize())
                            .setValidateHeaders(server.isValidateHeaders())
                            .setHeadersFactory(
                                    RequestHeadGuard.headersFactory(server.isValidateHeaders()));
            pipeline.replace(CODEC, CODEC, new HttpServerCodec(decoder));
            RequestHeadGuard guard = new RequestHeadGuard(properties.headerTimeout(), json);
            pipeline.addBefore(CODEC, "captiva-head-bytes", guard.bytesIn());
            pipeline.addAfter(CODEC, "captiva-head-guard", guard.requests());
        }
    }
}
