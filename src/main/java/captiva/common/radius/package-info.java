/**
 * RADIUS accounting on the wire: RFC 2865 packets, RFC 2866 Accounting-Request and
 * Accounting-Response, the RFC 2869 gigawords and Event-Timestamp, RFC 6911 Framed-IPv6-Address,
 * the RFC 3162 / RFC 4818 IPv6 prefixes, vendor attributes of a small dictionary ({@link
 * captiva.common.radius.VendorDictionary}) and RFC 5997 Status-Server. Pure Java, no I/O.
 *
 * <p>Per datagram, a listener does this (every step is cheap and none throws except the decode):
 *
 * <pre>{@code
 * RadiusPacket packet;
 * try {
 *     packet = RadiusPacket.decode(datagram.getData(), datagram.getLength());
 * } catch (RadiusCodecException malformed) {
 *     return;                                   // count, log malformed.getMessage() at debug, send nothing
 * }
 * if (!packet.isAuthentic(secret)) {
 *     return;                                   // wrong secret, forged or corrupted: count, send nothing
 * }
 * if (packet.code() == RadiusPacket.STATUS_SERVER) {
 *     send(packet.accountingResponse(secret));  // "alive"
 *     return;
 * }
 * AccountingRequest request = packet.asAccountingRequest().orElse(null);
 * if (request == null || !request.malformedAttributes().isEmpty()) {
 *     return;                                   // not for this port, or unusable: count, send nothing
 * }
 * store(request);                               // then, and only then:
 * send(packet.accountingResponse(secret));
 * }</pre>
 */
package captiva.common.radius;
