-- Written cancellations: what the customer sent, word for word, with the reference and time of
-- receipt they were given. Never deleted by the service: an agent resolves the handoff.
CREATE TABLE cancellation_requests (
    id              TEXT PRIMARY KEY,
    conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    reference       TEXT NOT NULL UNIQUE,
    fingerprint     TEXT NOT NULL,
    service         TEXT NOT NULL,
    full_name       TEXT NOT NULL,
    customer_number TEXT,
    email           TEXT,
    end_date        TEXT,
    comment         TEXT,
    locale          TEXT NOT NULL,
    receipt         TEXT NOT NULL,
    handoff_id      TEXT NOT NULL,
    received_at     TEXT NOT NULL,
    UNIQUE (conversation_id, fingerprint)
);

CREATE INDEX cancellation_requests_conversation ON cancellation_requests (conversation_id);

-- E-mail the service owes someone, written in the same transaction as what it is about, so a
-- copy is never lost to a crash; a sender delivers it afterwards and retries with backoff.
CREATE TABLE mail_outbox (
    id              TEXT PRIMARY KEY,
    conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    purpose         TEXT NOT NULL,
    recipient       TEXT NOT NULL,
    subject         TEXT NOT NULL,
    body            TEXT NOT NULL,
    status          TEXT NOT NULL,
    attempts        BIGINT NOT NULL,
    next_attempt_at TEXT NOT NULL,
    last_error      TEXT,
    sent_at         TEXT,
    created_at      TEXT NOT NULL
);

CREATE INDEX mail_outbox_due ON mail_outbox (status, next_attempt_at);
CREATE INDEX mail_outbox_conversation ON mail_outbox (conversation_id);
