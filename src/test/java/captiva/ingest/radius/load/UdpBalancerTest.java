package captiva.ingest.radius.load;

import static org.junit.jupiter.api.Assertions.assertEquals;

import captiva.testing.Fast;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The test balancer of the rolling restart routes each answer to the client whose request it
 * answers, as connection tracking does: a load's late answer must not reach the next load's socket,
 * which would count it as an answer to nothing it sent.
 */
@Fast
class UdpBalancerTest {

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    @Test
    void aLateAnswerGoesToTheClientThatAskedNotToTheLatestSender() throws Exception {
        try (DatagramSocket backend = socket();
                UdpBalancer balancer =
                        new UdpBalancer(
                                List.of((InetSocketAddress) backend.getLocalSocketAddress()));
                DatagramSocket earlier = socket();
                DatagramSocket later = socket()) {
            send(earlier, "earlier's request", balancer.address());
            DatagramPacket earlierRequest = receive(backend);
            send(later, "later's request", balancer.address());
            DatagramPacket laterRequest = receive(backend);

            // The backend answers the earlier client only now, after the later one has sent.
            send(backend, "answer to earlier", earlierRequest.getSocketAddress());
            send(backend, "answer to later", laterRequest.getSocketAddress());

            assertEquals("answer to earlier", text(receive(earlier)));
            assertEquals("answer to later", text(receive(later)));
            later.setSoTimeout(300);
            assertEquals(
                    "nothing more",
                    nothingMore(later),
                    "the later client received an answer it did not ask for");
        }
    }

    private static DatagramSocket socket() throws Exception {
        DatagramSocket socket = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
        socket.setSoTimeout(5_000);
        return socket;
    }

    private static void send(DatagramSocket from, String text, java.net.SocketAddress to)
            throws Exception {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        from.send(new DatagramPacket(bytes, bytes.length, to));
    }

    private static DatagramPacket receive(DatagramSocket socket) throws Exception {
        DatagramPacket packet = new DatagramPacket(new byte[512], 512);
        socket.receive(packet);
        return packet;
    }

    private static String text(DatagramPacket packet) {
        return new String(
                packet.getData(), packet.getOffset(), packet.getLength(), StandardCharsets.UTF_8);
    }

    private static String nothingMore(DatagramSocket socket) throws Exception {
        try {
            return text(receive(socket));
        } catch (SocketTimeoutException expected) {
            return "nothing more";
        }
    }
}
