-- Issuance for an order happens exactly once (ADR 0006): an issuance records the order it is for,
-- and at most one issuance per order may be under way or done. A failed one does not count, so
-- a retry after a failure can issue.
ALTER TABLE issuances ADD COLUMN order_id BIGINT REFERENCES orders (id);
CREATE UNIQUE INDEX issuances_one_per_order ON issuances (order_id)
  WHERE order_id IS NOT NULL AND state <> 'failed';

-- Keys known to be compromised (PRODUCT.md §8), kept by the Servicedesk: a CSR with one of these
-- SubjectPublicKeyInfos is refused.
CREATE TABLE blocked_keys (
  spki_sha256 TEXT PRIMARY KEY,          -- lower-case hex SHA-256 of the SubjectPublicKeyInfo
  reason TEXT NOT NULL,
  created_by BIGINT REFERENCES persons (id),
  created_at BIGINT NOT NULL
);
