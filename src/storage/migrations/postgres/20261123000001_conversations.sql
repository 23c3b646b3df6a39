-- Conversations, their messages and handoffs: the same shape as the SQLite schema, so one
-- code path serves both (see src/storage/mod.rs).
CREATE TABLE conversations (
    id          TEXT PRIMARY KEY,
    token_hash  TEXT NOT NULL,
    locale      TEXT NOT NULL,
    channel     TEXT NOT NULL,
    status      TEXT NOT NULL,
    state       TEXT NOT NULL,
    customer    TEXT,
    last_seq    BIGINT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

CREATE TABLE messages (
    id                TEXT PRIMARY KEY,
    conversation_id   TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    seq               BIGINT NOT NULL,
    role              TEXT NOT NULL,
    text              TEXT NOT NULL,
    actions           TEXT NOT NULL,
    action_id         TEXT,
    intent_name       TEXT,
    intent_confidence DOUBLE PRECISION,
    reply_to          TEXT,
    client_message_id TEXT,
    created_at        TEXT NOT NULL,
    UNIQUE (conversation_id, seq),
    UNIQUE (conversation_id, client_message_id)
);

CREATE INDEX messages_reply_to ON messages (reply_to);

CREATE TABLE handoffs (
    id              TEXT PRIMARY KEY,
    conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    queue           TEXT NOT NULL,
    reason          TEXT NOT NULL,
    status          TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);

CREATE INDEX handoffs_conversation ON handoffs (conversation_id);
CREATE INDEX handoffs_queue_status ON handoffs (queue, status, created_at);
