package captiva.ingest.radius.load;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A UDP load balancer on loopback, as kube-proxy is for a Service: each datagram from the client
 * goes to the next backend in service (round robin), and answers come back to the client. A test
 * takes a backend out of service before stopping it, as Kubernetes takes a terminating pod out of
 * the Service's endpoints. One client address is enough: the load sends from one socket.
 */
public final class UdpBalancer implements AutoCloseable {

    private final DatagramSocket front;
    private final List<InetSocketAddress> backends;
    private final List<DatagramSocket> backSockets = new ArrayList<>();
    private final boolean[] inService;
    private final AtomicInteger next = new AtomicInteger();
    private final List<Thread> threads = new ArrayList<>();
    private volatile SocketAddress client;
    private volatile boolean running = true;

    public UdpBalancer(List<InetSocketAddress> backends) {
        this.backends = backends;
        this.inService = new boolean[backends.size()];
        try {
            front = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            front.setReceiveBufferSize(4 * 1024 * 1024);
            for (int i = 0; i < backends.size(); i++) {
                DatagramSocket back =
                        new DatagramSocket(
                                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                back.setReceiveBufferSize(4 * 1024 * 1024);
                backSockets.add(back);
                inService[i] = true;
            }
        } catch (SocketException e) {
            throw new UncheckedIOException(e);
        }
        threads.add(new Thread(this::forward, "balancer-in"));
        for (DatagramSocket back : backSockets) {
            threads.add(new Thread(() -> answer(back), "balancer-out"));
        }
        threads.forEach(
                t -> {
                    t.setDaemon(true);
                    t.start();
                });
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) front.getLocalSocketAddress();
    }

    public synchronized void setInService(int backend, boolean serving) {
        inService[backend] = serving;
    }

    private synchronized int pick() {
        for (int tries = 0; tries < backends.size(); tries++) {
            int candidate = Math.floorMod(next.getAndIncrement(), backends.size());
            if (inService[candidate]) {
                return candidate;
            }
        }
        return -1;
    }

    private void forward() {
        byte[] buffer = new byte[4096];
        while (running) {
            try {
                DatagramPacket in = new DatagramPacket(buffer, buffer.length);
                front.receive(in);
                client = in.getSocketAddress();
                int backend = pick();
                if (backend >= 0) {
                    backSockets
                            .get(backend)
                            .send(
                                    new DatagramPacket(
                                            in.getData(), in.getLength(), backends.get(backend)));
                }
            } catch (IOException e) {
                // closed, or a backend port refused (ICMP): the client retransmits, as against a
                // real balancer
            }
        }
    }

    private void answer(DatagramSocket back) {
        byte[] buffer = new byte[4096];
        while (running) {
            try {
                DatagramPacket in = new DatagramPacket(buffer, buffer.length);
                back.receive(in);
                SocketAddress to = client;
                if (to != null) {
                    front.send(new DatagramPacket(in.getData(), in.getLength(), to));
                }
            } catch (IOException e) {
                // closed, or ICMP from a stopped backend
            }
        }
    }

    @Override
    public void close() {
        running = false;
        front.close();
        backSockets.forEach(DatagramSocket::close);
    }
}
