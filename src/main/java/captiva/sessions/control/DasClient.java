package captiva.sessions.control;

import captiva.common.radius.RadiusAttribute;
import captiva.common.radius.RadiusCodecException;
import captiva.common.radius.RadiusPacket;
import captiva.tenancy.NasRegistry.Das;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends one Disconnect- or CoA-Request to a NAS's Dynamic Authorization Server over UDP and waits
 * for its answer, sending the very same packet again up to {@code attempts} times (RFC 5176 s2.3: a
 * DAS answers a retransmission as it answered the first). Only an answer from the DAS's address and
 * port that {@link RadiusPacket#answers(byte[], byte[]) authenticates} with the DAS secret counts;
 * anything else is ignored while the attempt's time runs.
 */
@Singleton
class DasClient {

    private static final Logger LOG = LoggerFactory.getLogger(DasClient.class);
    private static final int ERROR_CAUSE = 101; // RFC 5176 s3.5, integer

    private final SessionControlProperties properties;
    private final MeterRegistry meters;

    DasClient(SessionControlProperties properties, MeterRegistry meters) {
        this.properties = properties;
        this.meters = meters;
    }

    /**
     * @param request the built request; its Identifier and Request Authenticator are what the
     *     answer must match
     */
    DasAnswer exchange(Das das, byte[] request) {
        InetSocketAddress to = new InetSocketAddress(address(das.address()), das.port());
        byte[] secret = das.secret().getBytes(StandardCharsets.UTF_8);
        int ack =
                (request[0] & 0xff) == RadiusPacket.DISCONNECT_REQUEST
                        ? RadiusPacket.DISCONNECT_ACK
                        : RadiusPacket.COA_ACK;
        int nak = ack + 1;
        try (DatagramSocket socket = new DatagramSocket()) {
            byte[] buffer = new byte[4096];
            for (int attempt = 1; attempt <= properties.attempts(); attempt++) {
                try {
                    socket.send(new DatagramPacket(request, request.length, to));
                } catch (IOException unreachable) {
                    // No route to the DAS now (network down, address unroutable): this attempt goes
                    // unanswered.
                    LOG.debug("Could not send to the DAS at {}: {}", to, unreachable.toString());
                }
                Optional<RadiusPacket> answer =
                        awaitAnswer(socket, buffer, to, request, secret, properties.timeout());
                if (answer.isPresent()) {
                    int code = answer.get().code();
                    if (code == ack) {
                        return count(new DasAnswer.Ack(attempt));
                    }
                    if (code == nak) {
                        return count(new DasAnswer.Nak(attempt, errorCause(answer.get())));
                    }
                    LOG.debug("DAS {} answered with code {}; taken as no answer", to, code);
                }
            }
            return count(new DasAnswer.Timeout(properties.attempts()));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot send to the DAS at " + to, e);
        }
    }

    private Optional<RadiusPacket> awaitAnswer(
            DatagramSocket socket,
            byte[] buffer,
            InetSocketAddress from,
            byte[] request,
            byte[] secret,
            Duration timeout)
            throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = Duration.ofNanos(deadline - System.nanoTime()).toMillis();
            if (left <= 0) {
                return Optional.empty();
            }
            socket.setSoTimeout((int) left);
            DatagramPacket datagram = new DatagramPacket(buffer, buffer.length);
            try {
                socket.receive(datagram);
            } catch (SocketTimeoutException silent) {
                return Optional.empty();
            }
            if (!from.equals(datagram.getSocketAddress())) {
                continue;
            }
            try {
                RadiusPacket answer = RadiusPacket.decode(datagram.getData(), datagram.getLength());
                if (answer.answers(request, secret)) {
                    return Optional.of(answer);
                }
            } catch (RadiusCodecException malformed) {
                LOG.debug("Malformed answer from the DAS at {}: {}", from, malformed.getMessage());
            }
        }
    }

    private static Integer errorCause(RadiusPacket answer) {
        return answer.attribute(ERROR_CAUSE)
                .map(RadiusAttribute::value)
                .filter(v -> v.length == 4)
                .map(
                        v ->
                                ((v[0] & 0xff) << 24)
                                        | ((v[1] & 0xff) << 16)
                                        | ((v[2] & 0xff) << 8)
                                        | (v[3] & 0xff))
                .orElse(null);
    }

    private DasAnswer count(DasAnswer answer) {
        meters.counter(
                        "captiva.sessions.control.answers",
                        "outcome",
                        SessionControlView.outcome(answer))
                .increment();
        return answer;
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(
                    literal); // a literal from the registry: no name lookup happens
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
