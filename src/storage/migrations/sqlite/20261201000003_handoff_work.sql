-- What agents do with a handoff: who claimed it and when, and how it ended. A handoff is never
-- deleted; resolving it records the outcome (for a cancellation: confirmed or withdrawn).
ALTER TABLE handoffs ADD COLUMN claimed_by TEXT;
ALTER TABLE handoffs ADD COLUMN claimed_by_name TEXT;
ALTER TABLE handoffs ADD COLUMN claimed_at TEXT;
ALTER TABLE handoffs ADD COLUMN resolved_at TEXT;
ALTER TABLE handoffs ADD COLUMN outcome TEXT;
ALTER TABLE handoffs ADD COLUMN note TEXT;

CREATE INDEX cancellation_requests_handoff ON cancellation_requests (handoff_id);
