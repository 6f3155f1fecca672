-- Reads never write (ADR 0015). A session is first a signed cookie and is stored only at its
-- first state change; logging out then stores when it ended, so that the still validly signed
-- cookie opens nothing any more. Rows go with the session timeouts, as before.
ALTER TABLE sessions ADD COLUMN ended_at BIGINT;

-- Secrets every node of one portal shares, made once by the first node that needs one
-- (the key that signs session cookies).
CREATE TABLE portal_secrets (
  name TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
