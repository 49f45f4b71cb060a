package captiva.ingest.radius;

import captiva.common.MacAddress;
import captiva.common.Ticker;
import captiva.common.radius.AccountingRequest;
import captiva.common.radius.AttributeTypes;
import captiva.common.radius.RadiusCodecException;
import captiva.common.radius.RadiusPacket;
import captiva.ingest.radius.NasSecrets.KnownNas;
import captiva.ingest.radius.NasSecrets.Lookup;
import captiva.sessions.AccountingEvent;
import captiva.sessions.SessionAttributes;
import jakarta.inject.Singleton;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Decides what to do with one datagram: drop it (and why), answer it at once (Status-Server, or a
 * retransmit of a packet already stored), wait (a retransmit of a packet still in its transaction),
 * or store it. Nothing here writes; any input whatsoever ends in a verdict, never an exception.
 */
@Singleton
class AccountingPacketHandler implements PacketJudge {

    /** The decision for one datagram. */
    sealed interface Verdict {
        record Drop(DropReason reason, String detail) implements Verdict {}

        record Answer(byte[] response) implements Verdict {}

        record AwaitCommit() implements Verdict {}

        record Store(PendingPacket packet) implements Verdict {}
    }

    private final NasSecrets nasSecrets;
    private final RecentPackets recent;
    private final Clock clock;
    private final Duration maxClockSkew;
    private final Ticker ticker;

    AccountingPacketHandler(
            NasSecrets nasSecrets, Clock clock, Ticker ticker, RadiusProperties properties) {
        this.nasSecrets = nasSecrets;
        this.recent = new RecentPackets(properties.dedupWindow(), 4 * properties.queueCapacity());
        this.clock = clock;
        this.maxClockSkew = properties.maxClockSkew();
        this.ticker = ticker;
    }

    @Override
    public Verdict handle(byte[] datagram, int length, InetSocketAddress sender) {
        try {
            return judge(datagram, length, sender);
        } catch (RuntimeException e) {
            // The NAS lookup's database failed (or a bug): this packet goes unanswered, the next is
            // judged afresh.
            return new Verdict.Drop(DropReason.FAILED, e.toString());
        }
    }

    @Override
    public Verdict handle(byte[] packet, int length, InetSocketAddress sender, KnownNas nas) {
        try {
            return judgeFrom(packet, length, sender, nas);
        } catch (RuntimeException e) {
            return new Verdict.Drop(DropReason.FAILED, e.toString());
        }
    }

    /**
     * A RadSec packet: its NAS is the one its connection's certificate names, and its secret is
     * {@code radsec} (RFC 6614 s2.3). One check more than on UDP: a NAS-Identifier registered to
     * another NAS means this certificate speaks for a NAS it does not identify, so the packet is
     * dropped rather than filed under either.
     */
    private Verdict judgeFrom(byte[] bytes, int length, InetSocketAddress sender, KnownNas nas) {
        Decoded decoded = decode(bytes, length);
        if (decoded instanceof Decoded.Refused refused) {
            return refused.drop();
        }
        RadiusPacket packet = ((Decoded.Packet) decoded).packet();
        String nasIdentifier = nasIdentifier(packet);
        if (nasIdentifier != null
                && !nasIdentifier.equals(nas.nas().identifier())
                && nasSecrets.find(sender.getAddress().getHostAddress(), nasIdentifier)
                        instanceof Lookup.Found other
                && nasIdentifier.equals(other.nas().nas().identifier())
                && other.nas().nas().id() != nas.nas().id()) {
            return new Verdict.Drop(
                    DropReason.CERTIFICATE_OF_ANOTHER_NAS,
                    "NAS "
                            + nas.nas().id()
                            + " sent NAS-Identifier "
                            + loggable(nasIdentifier)
                            + " of NAS "
                            + other.nas().nas().id());
        }
        return judgeAuthenticated(packet, nas, sender);
    }

    /** A decoded packet of a code this port takes, or why it is dropped. */
    private sealed interface Decoded {
        record Packet(RadiusPacket packet) implements Decoded {}

        record Refused(Verdict.Drop drop) implements Decoded {}
    }

    private static Decoded decode(byte[] datagram, int length) {
        RadiusPacket packet;
        try {
            packet = RadiusPacket.decode(datagram, length);
        } catch (RadiusCodecException malformed) {
            return new Decoded.Refused(
                    new Verdict.Drop(DropReason.MALFORMED, malformed.getMessage()));
        }
        if (packet.code() != RadiusPacket.ACCOUNTING_REQUEST
                && packet.code() != RadiusPacket.STATUS_SERVER) {
            return new Decoded.Refused(
                    new Verdict.Drop(DropReason.WRONG_CODE, "code " + packet.code()));
        }
        return new Decoded.Packet(packet);
    }

    private static String nasIdentifier(RadiusPacket packet) {
        return packet.attribute(AttributeTypes.NAS_IDENTIFIER)
                .map(a -> new String(a.value(), StandardCharsets.UTF_8))
                .orElse(null);
    }

    private Verdict judge(byte[] datagram, int length, InetSocketAddress sender) {
        Decoded decoded = decode(datagram, length);
        if (decoded instanceof Decoded.Refused refused) {
            return refused.drop();
        }
        RadiusPacket packet = ((Decoded.Packet) decoded).packet();
        InetAddress source = sender.getAddress();
        String nasIdentifier = nasIdentifier(packet);
        Lookup lookup = nasSecrets.find(source.getHostAddress(), nasIdentifier);
        if (lookup instanceof Lookup.OverBudget) {
            return new Verdict.Drop(
                    DropReason.NAS_LOOKUP_OVER_BUDGET,
                    "source " + source.getHostAddress() + " is over its NAS lookup budget");
        }
        if (!(lookup instanceof Lookup.Found found)) {
            return new Verdict.Drop(
                    DropReason.UNKNOWN_NAS,
                    "no NAS "
                            + source.getHostAddress()
                            + (nasIdentifier == null ? "" : " / " + loggable(nasIdentifier)));
        }
        return judgeAuthenticated(packet, found.nas(), sender);
    }

    /**
     * Checks the packet with the NAS's secret, then answers, stores or drops it; the same for UDP
     * and RadSec.
     */
    private Verdict judgeAuthenticated(
            RadiusPacket packet, KnownNas nas, InetSocketAddress sender) {
        switch (packet.authenticity(nas.secret())) {
            case BAD_AUTHENTICATOR -> {
                return new Verdict.Drop(DropReason.BAD_AUTHENTICATOR, "NAS " + nas.nas().id());
            }
            case BAD_MESSAGE_AUTHENTICATOR -> {
                return new Verdict.Drop(
                        DropReason.BAD_MESSAGE_AUTHENTICATOR, "NAS " + nas.nas().id());
            }
            case UNSIGNED -> {
                if (nas.nas().requireMessageAuthenticator()) {
                    return new Verdict.Drop(
                            DropReason.MISSING_MESSAGE_AUTHENTICATOR,
                            "NAS " + nas.nas().id() + " requires a Message-Authenticator");
                }
            }
            case SIGNED -> {
                // authentic, and signed as a BlastRADIUS-hardened NAS signs
            }
        }
        if (packet.code() == RadiusPacket.STATUS_SERVER) {
            return new Verdict.Answer(packet.accountingResponse(nas.secret()));
        }
        AccountingRequest request = packet.asAccountingRequest().orElseThrow();
        if (!request.attributesWithNul().isEmpty()) {
            return new Verdict.Drop(
                    DropReason.NUL_IN_TEXT,
                    "NAS " + nas.nas().id() + ": NUL inside " + request.attributesWithNul());
        }
        Instant arrival = clock.instant();
        Optional<AccountingEvent> event = toEvent(request, nas, arrival);
        if (event.isEmpty()) {
            return new Verdict.Drop(
                    DropReason.UNUSABLE,
                    "NAS "
                            + nas.nas().id()
                            + ": "
                            + (request.malformedAttributes().isEmpty()
                                    ? "no usable Acct-Status-Type or Acct-Session-Id"
                                    : "malformed " + request.malformedAttributes()));
        }
        String key =
                nas.nas().id()
                        + "/"
                        + packet.identifier()
                        + "/"
                        + HexFormat.of().formatHex(packet.authenticator());
        RecentPackets.Seen seen = recent.begin(key, ticker.nanos());
        if (seen instanceof RecentPackets.Seen.Answered answered) {
            return new Verdict.Answer(answered.response());
        }
        if (seen instanceof RecentPackets.Seen.InFlight) {
            return new Verdict.AwaitCommit();
        }
        return new Verdict.Store(
                new PendingPacket(
                        event.get(), packet.accountingResponse(nas.secret()), sender, key));
    }

    /**
     * Text from an unauthenticated sender, made safe for a log line: control characters and line
     * breaks (a newline would forge a log entry of its own) become '?', and a NAS-Identifier's 253
     * octets are cut short.
     */
    private static String loggable(String untrusted) {
        String shown = untrusted.length() > 64 ? untrusted.substring(0, 64) + "…" : untrusted;
        return shown.codePoints()
                .map(
                        c ->
                                Character.isISOControl(c) || Character.isWhitespace(c) && c != ' '
                                        ? '?'
                                        : c)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append)
                .toString();
    }

    @Override
    public void answered(PendingPacket packet) {
        recent.answered(packet.key(), packet.response(), ticker.nanos());
    }

    @Override
    public void notStored(PendingPacket packet) {
        recent.forget(packet.key());
    }

    private Optional<AccountingEvent> toEvent(
            AccountingRequest r, KnownNas known, Instant arrival) {
        if (!r.malformedAttributes().isEmpty()) {
            return Optional.empty();
        }
        AccountingEvent.Type type =
                r.acctStatusType().flatMap(AccountingEvent.Type::of).orElse(null);
        String acctSessionId = r.acctSessionId().filter(id -> !id.isEmpty()).orElse(null);
        if (type == null || (!type.isNasWide() && acctSessionId == null)) {
            return Optional.empty();
        }
        var nas = known.nas();
        String ip =
                r.framedIpAddress()
                        .map(InetAddress::getHostAddress)
                        .or(() -> r.framedIpv6Address().map(InetAddress::getHostAddress))
                        .orElse(null);
        OptionalLong sessionTime = r.acctSessionTime();
        return Optional.of(
                new AccountingEvent(
                        nas.tenantId(),
                        nas.locationId(),
                        nas.id(),
                        type.isNasWide() ? null : acctSessionId,
                        type,
                        eventTime(r, arrival),
                        r.userName().filter(u -> !u.isEmpty()).orElse(null),
                        r.callingStationId().flatMap(MacAddress::parse).orElse(null),
                        ip,
                        r.inputOctets().orElse(0),
                        r.outputOctets().orElse(0),
                        sessionTime.isPresent() ? sessionTime.getAsLong() : null,
                        r.acctTerminateCause().orElse(null),
                        attributes(r)));
    }

    private static SessionAttributes attributes(AccountingRequest r) {
        AccountingRequest.AccessPoint ap = r.accessPoint();
        HexFormat hex = HexFormat.of();
        return new SessionAttributes(
                ap.ssid(),
                ap.apMac(),
                ap.apName(),
                ap.apGroup(),
                ap.apLocationId(),
                r.framedIpv6Address().map(InetAddress::getHostAddress).orElse(null),
                r.framedIpv6Prefix().map(AccountingRequest.Ipv6Prefix::toString).orElse(null),
                r.delegatedIpv6Prefix().map(AccountingRequest.Ipv6Prefix::toString).orElse(null),
                r.framedInterfaceId().orElse(null),
                r.acctMultiSessionId().filter(id -> !id.isEmpty()).orElse(null),
                r.classValue().map(hex::formatHex).orElse(null),
                r.chargeableUserIdentity()
                        .filter(cui -> cui.length > 0)
                        .map(hex::formatHex)
                        .orElse(null));
    }

    /**
     * Event-Timestamp (or arrival) minus Acct-Delay-Time. A timestamp or delay beyond the allowed
     * clock skew is not believed: a NAS with a broken clock must not corrupt durations or counts.
     */
    private Instant eventTime(AccountingRequest r, Instant arrival) {
        Instant stamped =
                r.eventTimestamp()
                        .filter(
                                ts ->
                                        Duration.between(ts, arrival).abs().compareTo(maxClockSkew)
                                                <= 0)
                        .orElse(arrival);
        long delay = r.acctDelayTime().orElse(0);
        return delay > maxClockSkew.toSeconds() ? stamped : stamped.minusSeconds(delay);
    }
}
