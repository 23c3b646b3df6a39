-- The editors' review inbox: customers' messages the bot handled badly. The text is the
-- stored (masked) message's, joined when read, so erasing a conversation empties the inbox
-- of it with the rest.
CREATE TABLE review_items (
    id              TEXT PRIMARY KEY,
    conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    message_id      TEXT NOT NULL,
    kind            TEXT NOT NULL,
    locale          TEXT NOT NULL,
    intent          TEXT,
    confidence      DOUBLE PRECISION,
    guide_id        TEXT,
    status          TEXT NOT NULL,
    handled_by      TEXT,
    handled_at      TEXT,
    created_at      TEXT NOT NULL,
    UNIQUE (message_id, kind)
);

CREATE INDEX review_items_status ON review_items (status, created_at);
CREATE INDEX review_items_conversation ON review_items (conversation_id);
