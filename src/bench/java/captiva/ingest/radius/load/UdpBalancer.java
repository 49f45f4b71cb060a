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
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A UDP load balancer on loopback, as kube-proxy is for a Service: each datagram from a client goes
 * to the next backend in service (round robin), and answers come back to the client that sent the
 * request. A test takes a backend out of service before stopping it, as Kubernetes takes a
 * terminating pod out of the Service's endpoints, and may give it a new address when it is back, as
 * a new pod has.
 *
 * <p>Like the kernel's connection tracking behind kube-proxy, each client gets sockets of its own
 * towards the backends, so a backend's answer reaches the client it answers even when another
 * client has sent since: a late answer to a load that has ended must not be taken by the next
 * load's socket for an answer to nothing it sent.
 */
public final class UdpBalancer implements AutoCloseable {

    private final DatagramSocket front;
    private final InetSocketAddress[] backends;
    private final boolean[] inService;
    private final AtomicInteger next = new AtomicInteger();

    /** Per client address, its sockets towards the backends (the balancer's "flows"). */
    private final Map<SocketAddress, List<DatagramSocket>> flows = new ConcurrentHashMap<>();

    private volatile boolean running = true;

    public UdpBalancer(List<InetSocketAddress> backends) {
        this.backends = backends.toArray(InetSocketAddress[]::new);
        this.inService = new boolean[backends.size()];
        Arrays.fill(inService, true);
        try {
            front = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            front.setReceiveBufferSize(4 * 1024 * 1024);
        } catch (SocketException e) {
            throw new UncheckedIOException(e);
        }
        daemon(new Thread(this::forward, "balancer-in"));
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) front.getLocalSocketAddress();
    }

    public synchronized void setInService(int backend, boolean serving) {
        inService[backend] = serving;
    }

    public synchronized void setBackend(int backend, InetSocketAddress address) {
        backends[backend] = address;
    }

    private synchronized int pick() {
        for (int tries = 0; tries < backends.length; tries++) {
            int candidate = Math.floorMod(next.getAndIncrement(), backends.length);
            if (inService[candidate]) {
                return candidate;
            }
        }
        return -1;
    }

    private synchronized InetSocketAddress address(int backend) {
        return backends[backend];
    }

    private void forward() {
        byte[] buffer = new byte[4096];
        while (running) {
            try {
                DatagramPacket in = new DatagramPacket(buffer, buffer.length);
                front.receive(in);
                int backend = pick();
                if (backend >= 0) {
                    flows.computeIfAbsent(in.getSocketAddress(), this::open)
                            .get(backend)
                            .send(
                                    new DatagramPacket(
                                            in.getData(), in.getLength(), address(backend)));
                }
            } catch (IOException e) {
                // closed, or a backend port refused (ICMP): the client retransmits, as against a
                // real balancer
            }
        }
    }

    /** A new client's flow: a socket towards each backend, whose answers go to that client. */
    private List<DatagramSocket> open(SocketAddress client) {
        List<DatagramSocket> sockets = new ArrayList<>();
        for (int i = 0; i < backends.length; i++) {
            try {
                DatagramSocket back =
                        new DatagramSocket(
                                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                back.setReceiveBufferSize(4 * 1024 * 1024);
                sockets.add(back);
                daemon(new Thread(() -> answer(back, client), "balancer-out"));
            } catch (SocketException e) {
                throw new UncheckedIOException(e);
            }
        }
        return sockets;
    }

    private void answer(DatagramSocket back, SocketAddress client) {
        byte[] buffer = new byte[4096];
        while (running) {
            try {
                DatagramPacket in = new DatagramPacket(buffer, buffer.length);
                back.receive(in);
                front.send(new DatagramPacket(in.getData(), in.getLength(), client));
            } catch (IOException e) {
                // closed, or ICMP from a stopped backend
            }
        }
    }

    private static void daemon(Thread thread) {
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void close() {
        running = false;
        front.close();
        flows.values().forEach(sockets -> sockets.forEach(DatagramSocket::close));
    }
}
