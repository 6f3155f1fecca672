-- The certificate an issuance stored, found by its issuance: approving an order asks for it first
-- (ADR 0006), and without this index that was a scan of every certificate. Unique: an issuance
-- stores one certificate.
CREATE UNIQUE INDEX certificates_issuance ON certificates (issuance_id);
