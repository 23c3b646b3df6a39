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

-- What editors taught the bot from the inbox: training examples of an intent, kept in the
-- order taught (seq is the training set's version) with their author. Erasing the
-- conversation a message came from removes the example too.
CREATE TABLE taught_examples (
    seq             BIGSERIAL PRIMARY KEY,
    conversation_id TEXT,
    message_id      TEXT,
    text            TEXT NOT NULL,
    language        TEXT NOT NULL,
    intent          TEXT NOT NULL,
    author          TEXT NOT NULL,
    created_at      TEXT NOT NULL
);

CREATE INDEX taught_examples_conversation ON taught_examples (conversation_id);
