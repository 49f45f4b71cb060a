-- Every tenant gets its share of webhook delivery: each claim gives every tenant with a due delivery
-- an equal part, so one endpoint's backlog (it was down, or a burst) no longer holds back another
-- tenant's events behind it. Finding whether a tenant has a delivery to claim, and claiming its
-- deliveries in order, walk this index within the tenant and stop at the first claimable rows,
-- whatever the backlog of this tenant or of the others. It replaces webhook_delivery_claim_idx
-- (V52), which ordered every tenant's deliveries as one queue.
--
-- CONCURRENTLY, and so outside a transaction, as V53 explains: writers are not blocked.
CREATE INDEX CONCURRENTLY webhook_delivery_claim_by_tenant_idx ON webhook_delivery (tenant_id, next_attempt_at, position) WHERE state = 'pending';
DROP INDEX CONCURRENTLY webhook_delivery_claim_idx;
