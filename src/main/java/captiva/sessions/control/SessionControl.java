package captiva.sessions.control;

import captiva.common.OpaqueIds;
import captiva.common.problem.ApiProblem;
import captiva.common.radius.RadiusPacketBuilder;
import captiva.sessions.control.ControlRecords.Sent;
import captiva.sessions.control.ControlRecords.Target;
import captiva.tenancy.NasRegistry;
import captiva.tenancy.NasRegistry.Nas;
import captiva.tenancy.TenantScope;
import captiva.tenancy.apikeys.CallingKey;
import jakarta.inject.Singleton;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends (Disconnect-Request) or changes (CoA-Request) a session on its NAS, through the Dynamic
 * Authorization Server registered on the NAS, and keeps each request with its answer. The session
 * is looked up in the caller's tenant first: another tenant's session is not found, and nothing is
 * sent. Every request, sent or refused, is written to the audit log ({@code captiva.audit}) with
 * its key.
 */
@Singleton
class SessionControl {

    private static final Logger AUDIT = LoggerFactory.getLogger("captiva.audit");
    private static final int SESSION_TIMEOUT = 27; // RFC 2865 s5.27, integer (seconds)

    private final ControlRecords records;
    private final NasRegistry nasRegistry;
    private final DasClient das;
    private final OpaqueIds ids;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    SessionControl(
            ControlRecords records,
            NasRegistry nasRegistry,
            DasClient das,
            OpaqueIds ids,
            Clock clock) {
        this.records = records;
        this.nasRegistry = nasRegistry;
        this.das = das;
        this.ids = ids;
        this.clock = clock;
    }

    /** Sends a Disconnect-Request for the session and answers how the NAS took it. */
    SessionControlView disconnect(TenantScope scope, CallingKey key, String sessionId) {
        return send(scope, key, sessionId, "disconnect", null);
    }

    /**
     * Sends a CoA-Request that gives the session a new Session-Timeout (seconds from now, on the
     * NAS's clock).
     */
    SessionControlView changeSessionTimeout(
            TenantScope scope, CallingKey key, String sessionId, long sessionTimeout) {
        return send(scope, key, sessionId, "coa", sessionTimeout);
    }

    /** The session's requests, newest first; 404 for a session the key cannot see. */
    SessionControlView.History history(TenantScope scope, String sessionId) {
        Target target = target(scope, sessionId);
        return new SessionControlView.History(
                records.history(scope, target.sessionId()).stream().map(this::view).toList());
    }

    private SessionControlView send(
            TenantScope scope,
            CallingKey key,
            String sessionId,
            String action,
            Long sessionTimeout) {
        Target target;
        Nas nas;
        try {
            target = target(scope, sessionId);
            nas = nasOf(scope, target, sessionId);
        } catch (ApiProblem refused) {
            AUDIT.info(
                    "session {} refused: key={} tenant={} session={} status={} ({})",
                    action,
                    key.id(),
                    scope.tenantId(),
                    loggable(sessionId),
                    refused.status().getCode(),
                    refused.getMessage());
            throw refused;
        }
        byte[] request = request(action, target, nas, sessionTimeout);
        Instant requestedAt = clock.instant();
        DasAnswer answer = das.exchange(nas.das(), request);
        Instant answeredAt = answer instanceof DasAnswer.Timeout ? null : clock.instant();
        Sent sent =
                new Sent(
                        target.sessionId(),
                        nas.id(),
                        key.id(),
                        action,
                        sessionTimeout,
                        SessionControlView.outcome(answer),
                        answer instanceof DasAnswer.Nak nak ? nak.errorCause() : null,
                        answer.attempts(),
                        requestedAt,
                        answeredAt);
        records.record(scope, sent);
        AUDIT.info(
                "session {}: key={} tenant={} session={} nas={} outcome={} error_cause={} attempts={}",
                action,
                key.id(),
                scope.tenantId(),
                target.sessionId(),
                nas.id(),
                sent.outcome(),
                sent.errorCause(),
                sent.attempts());
        return view(sent);
    }

    private Target target(TenantScope scope, String sessionId) {
        return ids.decode(OpaqueIds.Kind.SESSION, sessionId).stream()
                .boxed()
                .findFirst()
                .flatMap(id -> records.target(scope, id))
                .orElseThrow(() -> new ApiProblem.NotFound("Session " + loggable(sessionId)));
    }

    /** The NAS to ask, or a 409 that says what is missing. */
    private Nas nasOf(TenantScope scope, Target target, String sessionId) {
        if (target.nasId() == null) {
            throw new ApiProblem.Conflict(
                    "Session "
                            + sessionId
                            + " was imported, not accounted by a NAS: there is no NAS to ask.");
        }
        if (target.ended()) {
            throw new ApiProblem.Conflict("Session " + sessionId + " has already ended.");
        }
        Nas nas =
                nasRegistry
                        .find(scope.tenantId(), target.nasId())
                        .orElseThrow(() -> new ApiProblem.NotFound("Session " + sessionId));
        if (nas.das() == null) {
            throw new ApiProblem.Conflict(
                    "NAS "
                            + ids.encode(OpaqueIds.Kind.NAS, nas.id())
                            + " of session "
                            + sessionId
                            + " has no Dynamic Authorization Server registered: register its das_address and das_secret (and das_port,"
                            + " unless 3799) with the admin API (POST /admin/tenants/{tenant_id}/locations/{location_id}/nas).");
        }
        return nas;
    }

    /**
     * Everything the session's accounting told us that identifies it to the NAS (RFC 5176 s3: a NAS
     * matches on what it is given, so more is safer than less), signed with a
     * Message-Authenticator.
     */
    private byte[] request(String action, Target target, Nas nas, Long sessionTimeout) {
        int identifier = random.nextInt(256);
        RadiusPacketBuilder packet =
                "coa".equals(action)
                        ? RadiusPacketBuilder.coaRequest(identifier)
                        : RadiusPacketBuilder.disconnectRequest(identifier);
        packet.messageAuthenticator();
        if (target.acctSessionId() != null) {
            packet.acctSessionId(target.acctSessionId());
        }
        if (target.username() != null) {
            packet.userName(target.username());
        }
        if (target.guestDeviceMac() != null) {
            // RFC 3580 s3.21's form, as access points send it: upper case, hyphens
            packet.callingStationId(
                    target.guestDeviceMac().toUpperCase(Locale.ROOT).replace(':', '-'));
        }
        if (target.guestDeviceIp() != null) {
            InetAddress ip = literal(target.guestDeviceIp());
            if (ip instanceof Inet4Address v4) {
                packet.framedIpAddress(v4);
            } else if (ip instanceof Inet6Address v6) {
                packet.framedIpv6Address(v6);
            }
        }
        if (literal(nas.ipAddress()) instanceof Inet4Address nasIp) {
            packet.nasIpAddress(nasIp);
        }
        if (nas.identifier() != null) {
            packet.nasIdentifier(nas.identifier());
        }
        if (sessionTimeout != null) {
            packet.attribute(
                    SESSION_TIMEOUT,
                    new byte[] {
                        (byte) (sessionTimeout >>> 24),
                        (byte) (sessionTimeout >>> 16),
                        (byte) (sessionTimeout >>> 8),
                        (byte) (long) sessionTimeout
                    });
        }
        return packet.build(nas.das().secret().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    private SessionControlView view(Sent sent) {
        return new SessionControlView(
                ids.encode(OpaqueIds.Kind.SESSION, sent.sessionId()),
                sent.action(),
                sent.outcome(),
                sent.errorCause(),
                sent.attempts(),
                sent.sessionTimeout(),
                ids.encode(OpaqueIds.Kind.API_KEY, sent.apiKeyId()),
                sent.requestedAt(),
                sent.answeredAt());
    }

    private static InetAddress literal(String address) {
        try {
            return InetAddress.getByName(
                    address); // an address literal from the database: no lookup
        } catch (UnknownHostException e) {
            throw new IllegalStateException("not an address literal: " + address, e);
        }
    }

    private static String loggable(String untrusted) {
        String shown = untrusted.length() > 40 ? untrusted.substring(0, 40) + "…" : untrusted;
        return shown.replaceAll("[^A-Za-z0-9_-]", "?");
    }
}
