-- The knowledge base: guides with their full history, staff tokens, what customers did with
-- each step, and outage notices.

-- Every save and every deletion of a guide, in order; a deletion has no source. `seq` orders
-- changes across replicas, which poll it to pick up each other's saves.
CREATE TABLE guide_revisions (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    guide_id   TEXT NOT NULL,
    version    BIGINT NOT NULL,
    source     TEXT,
    author     TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (guide_id, version)
);

-- The live guides: the latest revision of each guide that is not deleted.
CREATE TABLE guides (
    id         TEXT PRIMARY KEY,
    language   TEXT NOT NULL,
    title      TEXT NOT NULL,
    source     TEXT NOT NULL,
    version    BIGINT NOT NULL,
    updated_at TEXT NOT NULL
);

-- Agents, editors and admins. Only a hash of each token is kept.
CREATE TABLE staff_tokens (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    role       TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);

-- Each step shown to a customer and what they answered: the handoff's "steps tried" and the
-- editors' per-step statistics.
CREATE TABLE guide_step_events (
    id              TEXT PRIMARY KEY,
    conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    guide_id        TEXT NOT NULL,
    guide_version   BIGINT NOT NULL,
    step            BIGINT NOT NULL,
    event           TEXT NOT NULL,
    created_at      TEXT NOT NULL
);

CREATE INDEX guide_step_events_guide ON guide_step_events (guide_id, step);
CREATE INDEX guide_step_events_conversation ON guide_step_events (conversation_id);

-- Known outages, told to customers before any restart is suggested.
CREATE TABLE outage_notices (
    id           TEXT PRIMARY KEY,
    service      TEXT NOT NULL,
    postcodes    TEXT NOT NULL,
    message_sv   TEXT NOT NULL,
    message_en   TEXT NOT NULL,
    starts_at    TEXT NOT NULL,
    expected_end TEXT,
    created_by   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    ended_at     TEXT
);

-- The guide step a bot message shows (JSON), so clients can draw progress.
ALTER TABLE messages ADD COLUMN guide_step TEXT;
