-- GET /sessions/{ips} with IPv6 addresses (issue #17). A device's IPv6 addresses are mostly ones
-- the NAS never hears of (SLAAC and privacy addresses in its Framed-IPv6-Prefix, whole networks in a
-- Delegated-IPv6-Prefix), so an address is looked up by containment, prefix >>= address, which a
-- B-tree cannot answer and a GiST index with inet_ops can. btree_gist lets tenant_id lead these
-- indexes as it leads every other (a trusted extension since PostgreSQL 13: the database owner may
-- create it; Citus supports it). Partial, so that IPv4-only sessions cost these indexes nothing.
CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE INDEX session_tenant_ipv6_prefix_idx ON session USING gist (tenant_id, framed_ipv6_prefix inet_ops)
    WHERE framed_ipv6_prefix IS NOT NULL;
CREATE INDEX session_tenant_delegated_prefix_idx ON session USING gist (tenant_id, delegated_ipv6_prefix inet_ops)
    WHERE delegated_ipv6_prefix IS NOT NULL;
-- Framed-IPv6-Address is exact: a B-tree, in start order like session_tenant_ip_started_idx.
CREATE INDEX session_tenant_ipv6_address_idx ON session (tenant_id, framed_ipv6_address, start_time)
    WHERE framed_ipv6_address IS NOT NULL;
