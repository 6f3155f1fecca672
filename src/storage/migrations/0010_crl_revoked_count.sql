-- How many revoked certificates a published CRL lists (ADR 0011): a CRL is out of date when its
-- CA has revoked more (or other) certificates than that, whatever the nodes' clocks say.
-- Existing rows count 0, so a CA with revocations gets a fresh CRL on the next round.
ALTER TABLE published_crls ADD COLUMN revoked_count BIGINT NOT NULL DEFAULT 0;
