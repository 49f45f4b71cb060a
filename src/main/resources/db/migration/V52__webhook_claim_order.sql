-- The workers claim pending deliveries in (next_attempt_at, position) order, a few at a time. With
-- only next_attempt_at indexed, every delivery queued by one statement shares its due time, so each
-- claim sorted the whole backlog (20,000 deliveries after a 10,000-session burst: 150 ms a claim,
-- far longer while the table's statistics still described it as empty). Walking this index in order
-- stops after the first claimable rows, whatever the backlog.
CREATE INDEX webhook_delivery_claim_idx ON webhook_delivery (next_attempt_at, position) WHERE state = 'pending';
DROP INDEX webhook_delivery_due_idx;
