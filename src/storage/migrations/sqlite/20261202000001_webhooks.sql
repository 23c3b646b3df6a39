-- Handoff events owed to a help desk's webhook, written in the transaction of the change they
-- report (only when a webhook is configured), delivered afterwards with retries. The rows are
-- the delivery log: what was sent, how often, and what the desk answered.
CREATE TABLE webhook_deliveries (
    id              TEXT PRIMARY KEY,
    event           TEXT NOT NULL,
    handoff_id      TEXT NOT NULL,
    payload         TEXT NOT NULL,
    status          TEXT NOT NULL,
    attempts        BIGINT NOT NULL,
    next_attempt_at TEXT NOT NULL,
    last_error      TEXT,
    response_status BIGINT,
    delivered_at    TEXT,
    created_at      TEXT NOT NULL
);

CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
