-- What a NAS tells about a session beyond its counters (issue #17): where the guest is connected
-- (read from vendor attributes and Called-Station-Id), the IPv6 addresses and prefixes it was
-- given, and the identities that tie its reconnects together. All nullable, so adding them rewrites
-- no row. None is indexed here: an Interim that repeats them stays a HOT update (V10); the IPv6
-- lookup's indexes are in V42.
ALTER TABLE session
    ADD COLUMN ssid                     text,
    ADD COLUMN ap_mac                   macaddr,
    ADD COLUMN ap_name                  text,
    ADD COLUMN ap_group                 text,
    ADD COLUMN ap_location_id           text,
    -- inet, not cidr, for the prefixes: RFC 3162 lets a prefix carry host bits, which are kept as sent;
    -- containment (>>=) compares only the network part.
    ADD COLUMN framed_ipv6_address      inet,
    ADD COLUMN framed_ipv6_prefix       inet,
    ADD COLUMN delegated_ipv6_prefix    inet,
    ADD COLUMN framed_interface_id      text,
    ADD COLUMN acct_multi_session_id    text,
    -- Class and Chargeable-User-Identity are octets (RFC 2865 s5.25, RFC 4372): stored as sent.
    ADD COLUMN radius_class             bytea,
    ADD COLUMN chargeable_user_identity bytea;
