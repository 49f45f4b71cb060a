package captiva.ingest.radius;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Datagrams the kernel dropped at our UDP socket because its receive buffer was full. The
 * application never sees them, so none of its own counters can tell: under a flood they are the
 * packets that went missing. Linux reports them per socket, in the last column of /proc/net/udp and
 * /proc/net/udp6; ours is the socket bound to our port whose inode this process holds. Where there
 * is no such file the count is unknown (empty), never a made-up zero.
 */
final class KernelSocketDrops {

    private static final List<Path> TABLES =
            List.of(Path.of("/proc/net/udp"), Path.of("/proc/net/udp6"));
    private static final Path OWN_DESCRIPTORS = Path.of("/proc/self/fd");

    private final int port;

    /** Our socket's inode, found on the first read; -1 until then. */
    private volatile long inode = -1;

    KernelSocketDrops(int port) {
        this.port = port;
    }

    static boolean supported() {
        return Files.isReadable(TABLES.get(0)) && Files.isDirectory(OWN_DESCRIPTORS);
    }

    OptionalLong read() {
        try {
            Set<Long> candidates = inode >= 0 ? Set.of(inode) : ownSocketInodes();
            for (Path table : TABLES) {
                if (!Files.isReadable(table)) {
                    continue;
                }
                for (String line : Files.readAllLines(table)) {
                    String[] f = line.trim().split("\\s+");
                    // sl local_address rem_address st tx:rx tr:tm retrnsmt uid timeout inode ref
                    // pointer drops
                    if (f.length < 13 || !f[1].contains(":")) {
                        continue;
                    }
                    int localPort = Integer.parseInt(f[1].substring(f[1].indexOf(':') + 1), 16);
                    long socketInode = Long.parseLong(f[9]);
                    if (localPort == port && candidates.contains(socketInode)) {
                        inode = socketInode;
                        return OptionalLong.of(Long.parseLong(f[12]));
                    }
                }
            }
            return OptionalLong.empty();
        } catch (IOException | RuntimeException unreadable) {
            return OptionalLong.empty();
        }
    }

    /**
     * The inodes of the sockets this process holds open ("socket:[12345]" links under
     * /proc/self/fd).
     */
    private static Set<Long> ownSocketInodes() throws IOException {
        Set<Long> inodes = new HashSet<>();
        try (Stream<Path> descriptors = Files.list(OWN_DESCRIPTORS)) {
            for (Path fd : (Iterable<Path>) descriptors::iterator) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.toLowerCase(Locale.ROOT).startsWith("socket:[")) {
                        inodes.add(Long.parseLong(target.substring(8, target.length() - 1)));
                    }
                } catch (IOException | RuntimeException closedMeanwhile) {
                    // a descriptor closed while listing is not ours to count
                }
            }
        }
        return inodes;
    }
}
