-- Number matching of a mobile login (ADR 0021, docs/mobile-protocol.md): the browser shows a
-- two-digit number, the app offers it among two decoys, and a wrong pick cancels the request.
-- The app's confirmation also shows the requesting browser (a coarse description of its user
-- agent; its address is client_address, its time created_at). Signing requests have none.
ALTER TABLE mobile_requests ADD COLUMN match_number BIGINT;
ALTER TABLE mobile_requests ADD COLUMN match_choices TEXT NOT NULL DEFAULT '';
ALTER TABLE mobile_requests ADD COLUMN browser TEXT NOT NULL DEFAULT '';

-- A mobile session ends with its certificate (revoked) or identity (removed): found by the
-- certificate it is bound to.
CREATE INDEX sessions_fingerprint ON sessions (certificate_fingerprint);
