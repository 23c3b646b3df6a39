-- A customer waiting for a person can ask to be phoned instead: the number (E.164) and the
-- window they can take the call in. The latest request is the one that counts; each one is
-- also confirmed in the conversation, so earlier ones stay in the transcript.
ALTER TABLE handoffs ADD COLUMN callback_phone TEXT;
ALTER TABLE handoffs ADD COLUMN callback_from TEXT;
ALTER TABLE handoffs ADD COLUMN callback_to TEXT;
ALTER TABLE handoffs ADD COLUMN callback_requested_at TEXT;
