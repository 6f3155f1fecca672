-- Mobile login and signing requests (ADR 0008, docs/mobile-protocol.md): one-time, expiring,
-- bound to the browser that made them. Shared through the database, so any portal node can
-- answer the app or the browser.
CREATE TABLE mobile_requests (
  id TEXT PRIMARY KEY,                 -- 128 random bits, base64url: the only handle
  kind TEXT NOT NULL CHECK (kind IN ('login', 'sign')),
  browser_hash TEXT NOT NULL,          -- SHA-256 of the browser's binding cookie
  order_id BIGINT REFERENCES orders (id),
  person_id BIGINT REFERENCES persons (id),  -- sign: the requester; login: who logged in
  nonce TEXT NOT NULL,
  document TEXT NOT NULL,              -- the exact bytes the app signs
  status TEXT NOT NULL
    CHECK (status IN ('pending', 'completed', 'consumed', 'cancelled')),
  refusal TEXT NOT NULL DEFAULT '',    -- why the last answer was refused (message key)
  signer_fingerprint TEXT NOT NULL DEFAULT '',
  client_address TEXT NOT NULL,
  last_poll_at BIGINT,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  completed_at BIGINT
);
CREATE INDEX mobile_requests_client ON mobile_requests (client_address, created_at);

-- Attempts counted for rate limits (enrolment codes), by scope and key (a client address).
CREATE TABLE rate_events (
  scope TEXT NOT NULL,
  client TEXT NOT NULL,
  at BIGINT NOT NULL
);
CREATE INDEX rate_events_lookup ON rate_events (scope, client, at);
