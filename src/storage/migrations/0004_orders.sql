-- Orders and their evidence (PRODUCT.md §4, §8). The status moves only through
-- OrderRepository::transition, guarded by the expected current status; `version` is raised by
-- every change, so a form can tell that the order moved under it.

CREATE TABLE orders (
  id {{id}},
  type TEXT NOT NULL
    CHECK (type IN ('server-new', 'server-renew', 'card-new', 'card-renew', 'mobile-add')),
  status TEXT NOT NULL
    CHECK (status IN ('draft', 'submitted', 'in_processing', 'on_hold', 'approved',
                      'in_production', 'shipped', 'activated', 'issued', 'rejected', 'cancelled')),
  organisation_id BIGINT REFERENCES organisations (id),
  requested_by BIGINT NOT NULL REFERENCES persons (id),
  requester_issuer_dn TEXT NOT NULL,
  requester_subject_serial TEXT NOT NULL,
  renewal_of BIGINT REFERENCES certificates (id),
  certificate_id BIGINT REFERENCES certificates (id),
  product TEXT NOT NULL,
  csr_pem TEXT NOT NULL DEFAULT '',
  common_name TEXT NOT NULL DEFAULT '',
  dns_names TEXT NOT NULL DEFAULT '',        -- SANs in CSR order, joined by ' '
  key_description TEXT NOT NULL DEFAULT '',
  spki_sha256 TEXT NOT NULL DEFAULT '',
  manager_id BIGINT REFERENCES persons (id),
  proposed_manager_name TEXT,                -- NULL: no certificate manager proposed
  proposed_manager_email TEXT,
  proposed_manager_phone TEXT,
  not_before BIGINT NOT NULL,
  not_after BIGINT NOT NULL,
  nonce TEXT NOT NULL UNIQUE,
  reason TEXT NOT NULL DEFAULT '',
  -- Evidence (PRODUCT.md §4): the signed bytes, the CMS signature (DER, base64) and the signer.
  document TEXT NOT NULL DEFAULT '',
  signature TEXT NOT NULL DEFAULT '',
  signer_certificate_pem TEXT NOT NULL DEFAULT '',
  version BIGINT NOT NULL DEFAULT 1,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
-- The Servicedesk queue: by status, optionally one organisation, oldest first.
CREATE INDEX orders_queue ON orders (status, organisation_id, created_at, id);
-- "Mijn bestellingen": one organisation's orders, newest first.
CREATE INDEX orders_organisation ON orders (organisation_id, created_at, id);

-- Evidence, once recorded, is never changed (PRODUCT.md §4 "kept as evidence, unchangeable").
-- dialect: sqlite
CREATE TRIGGER orders_evidence_unchangeable
BEFORE UPDATE OF document, signature, signer_certificate_pem ON orders
WHEN OLD.document <> '' AND (NEW.document IS NOT OLD.document
  OR NEW.signature IS NOT OLD.signature
  OR NEW.signer_certificate_pem IS NOT OLD.signer_certificate_pem)
BEGIN
  SELECT RAISE(ABORT, 'order evidence is unchangeable');
END;
-- dialect: postgresql
CREATE FUNCTION orders_evidence_unchangeable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.document <> '' AND (NEW.document IS DISTINCT FROM OLD.document
      OR NEW.signature IS DISTINCT FROM OLD.signature
      OR NEW.signer_certificate_pem IS DISTINCT FROM OLD.signer_certificate_pem) THEN
    RAISE EXCEPTION 'order evidence is unchangeable' USING ERRCODE = 'restrict_violation';
  END IF;
  RETURN NEW;
END;
$$;
CREATE TRIGGER orders_evidence_unchangeable BEFORE UPDATE ON orders
  FOR EACH ROW EXECUTE FUNCTION orders_evidence_unchangeable();
-- dialect: all
