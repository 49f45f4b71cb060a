package captiva.ingest.radius.load;

import captiva.common.radius.AcctStatusType;
import captiva.common.radius.RadiusCodecException;
import captiva.common.radius.RadiusPacket;
import captiva.common.radius.RadiusPacketBuilder;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Accounting-Requests for many sessions, encoded and signed before any is sent, so that a load run
 * measures the server and not the client's MD5. Each session sends Start, some Interim-Updates with
 * growing counters and optionally a Stop. Sessions are staggered (session {@code s} sends its
 * {@code j}-th packet at step {@code s + j * spacing}) so that at any moment the traffic mixes
 * Starts, Interims and Stops of different sessions, as a venue's does.
 *
 * <p>The Identifier of packet {@code i} is {@code i % 256}; {@link AccountingLoad} sends packets
 * sharing an Identifier from different sockets, or one after the other, never both in flight on
 * one. Each packet also carries the exact Accounting-Response it must get back.
 */
public final class AccountingTraffic {

    /**
     * Seconds between a session's Interim-Updates, as the NAS reports them in Acct-Session-Time.
     */
    static final long INTERIM_SECONDS = 60;

    /**
     * One pre-encoded Accounting-Request.
     *
     * @param index position in send order, unique within the traffic
     * @param session which session of the traffic it belongs to
     * @param request the datagram, sent unchanged on every retransmit
     * @param response the only Accounting-Response that acknowledges it (Response Authenticator
     *     included)
     */
    public record Packet(
            int index,
            int session,
            AcctStatusType type,
            long inputOctets,
            long outputOctets,
            int identifier,
            byte[] request,
            byte[] response) {}

    private final String sessionPrefix;
    private final int sessions;
    private final List<Packet> packets;

    private AccountingTraffic(String sessionPrefix, int sessions, List<Packet> packets) {
        this.sessionPrefix = sessionPrefix;
        this.sessions = sessions;
        this.packets = List.copyOf(packets);
    }

    /**
     * Encodes the traffic.
     *
     * @param sessionPrefix starts every Acct-Session-Id, so a run's sessions can be found in the
     *     database
     * @param interims Interim-Updates per session, 0 or more
     * @param stop whether each session ends with a Stop
     * @param spacing steps between a session's packets; 1 sends each session's packets back to back
     * @param nasIdentifier NAS-Identifier to send (the NAS is then found by it), or null to be
     *     found by address
     */
    public static AccountingTraffic encode(
            String sessionPrefix,
            int sessions,
            int interims,
            boolean stop,
            int spacing,
            String nasIdentifier,
            byte[] secret) {
        if (sessions < 1 || interims < 0 || spacing < 1) {
            throw new IllegalArgumentException(
                    "sessions >= 1, interims >= 0 and spacing >= 1 are required");
        }
        int perSession = 1 + interims + (stop ? 1 : 0);
        // Event-Timestamps count forward from the session's start, which lies in the past so that
        // the last
        // packet's timestamp is about now: well inside the server's allowed clock skew.
        Instant base = Instant.now().minusSeconds(perSession * INTERIM_SECONDS);
        record Step(int session, int nth, long at) {}
        List<Step> steps = new ArrayList<>(sessions * perSession);
        for (int s = 0; s < sessions; s++) {
            for (int j = 0; j < perSession; j++) {
                steps.add(new Step(s, j, s + (long) j * spacing));
            }
        }
        steps.sort(Comparator.comparingLong(Step::at).thenComparingInt(Step::nth));
        List<Packet> packets = new ArrayList<>(steps.size());
        for (Step step : steps) {
            int index = packets.size();
            AcctStatusType type =
                    step.nth() == 0
                            ? AcctStatusType.START
                            : step.nth() <= interims
                                    ? AcctStatusType.INTERIM_UPDATE
                                    : AcctStatusType.STOP;
            packets.add(
                    packet(
                            index,
                            sessionPrefix,
                            step.session(),
                            step.nth(),
                            type,
                            base,
                            nasIdentifier,
                            secret));
        }
        return new AccountingTraffic(sessionPrefix, sessions, packets);
    }

    private static Packet packet(
            int index,
            String prefix,
            int s,
            int nth,
            AcctStatusType type,
            Instant base,
            String nasIdentifier,
            byte[] secret) {
        int identifier = index % 256;
        long input = nth * (100_000L + s);
        // Crosses 4 GiB from the third update on, so Acct-Output-Gigawords is exercised too.
        long output = nth * (1_500_000_000L + 7L * s);
        RadiusPacketBuilder builder =
                RadiusPacketBuilder.accountingRequest(identifier)
                        .acctStatusType(type)
                        .acctSessionId(prefix + s)
                        .userName("guest-" + s)
                        .callingStationId(
                                String.format(
                                        "02-00-%02X-%02X-%02X-%02X",
                                        s >>> 24 & 0xff, s >>> 16 & 0xff, s >>> 8 & 0xff, s & 0xff))
                        .calledStationId("00-11-22-33-44-55:Guest")
                        .framedIpAddress(ipv4(10, s >>> 16 & 0xff, s >>> 8 & 0xff, s & 0xff))
                        .eventTimestamp(base.plusSeconds(nth * INTERIM_SECONDS));
        if (nasIdentifier != null) {
            builder.nasIdentifier(nasIdentifier);
        }
        if (type != AcctStatusType.START) {
            builder.acctSessionTime(nth * INTERIM_SECONDS).inputOctets(input).outputOctets(output);
        }
        if (type == AcctStatusType.STOP) {
            builder.acctTerminateCause(1);
        }
        byte[] request = builder.build(secret);
        try {
            byte[] response =
                    RadiusPacket.decode(request, request.length).accountingResponse(secret);
            return new Packet(
                    index,
                    s,
                    type,
                    type == AcctStatusType.START ? 0 : input,
                    type == AcctStatusType.START ? 0 : output,
                    identifier,
                    request,
                    response);
        } catch (RadiusCodecException e) {
            throw new IllegalStateException("the builder made a packet the decoder refuses", e);
        }
    }

    private static Inet4Address ipv4(int a, int b, int c, int d) {
        try {
            return (Inet4Address)
                    InetAddress.getByAddress(new byte[] {(byte) a, (byte) b, (byte) c, (byte) d});
        } catch (UnknownHostException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    /** Every packet, in send order. */
    public List<Packet> packets() {
        return packets;
    }

    public int sessions() {
        return sessions;
    }

    public String sessionPrefix() {
        return sessionPrefix;
    }

    /** The Acct-Session-Id of session {@code s}. */
    public String acctSessionId(int s) {
        return sessionPrefix + s;
    }
}
