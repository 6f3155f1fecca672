-- Registry (PRODUCT.md §2), sessions and the append-only audit log (PRODUCT.md §8).
-- Shared by SQLite and PostgreSQL: {{id}} and {{blob}} are replaced per dialect, and blocks
-- between "-- dialect: sqlite" / "-- dialect: postgresql" and "-- dialect: all" apply to one only.
-- Timestamps are BIGINT Unix seconds; booleans are INTEGER 0/1.

CREATE TABLE organisations (
  id {{id}},
  name TEXT NOT NULL,
  kvk TEXT NOT NULL UNIQUE,
  oin TEXT UNIQUE,  -- NULL when not known; several NULLs do not collide
  visiting_street TEXT NOT NULL,
  visiting_postal_code TEXT NOT NULL,
  visiting_city TEXT NOT NULL,
  visiting_country TEXT NOT NULL,
  postal_street TEXT NOT NULL,
  postal_postal_code TEXT NOT NULL,
  postal_city TEXT NOT NULL,
  postal_country TEXT NOT NULL,
  billing_street TEXT NOT NULL,
  billing_postal_code TEXT NOT NULL,
  billing_city TEXT NOT NULL,
  billing_country TEXT NOT NULL,
  billing_attention_of TEXT NOT NULL,
  billing_email TEXT NOT NULL,
  billing_purchase_order_reference TEXT NOT NULL,
  billing_vat_number TEXT NOT NULL,
  portal_enabled INTEGER NOT NULL DEFAULT 0 CHECK (portal_enabled IN (0, 1)),
  created_at BIGINT NOT NULL
);

CREATE TABLE persons (
  id {{id}},
  given_name TEXT NOT NULL,
  surname TEXT NOT NULL,
  email TEXT NOT NULL,
  phone TEXT NOT NULL,
  portal_access INTEGER NOT NULL DEFAULT 0 CHECK (portal_access IN (0, 1)),
  servicedesk INTEGER NOT NULL DEFAULT 0 CHECK (servicedesk IN (0, 1)),
  professional INTEGER NOT NULL DEFAULT 0 CHECK (professional IN (0, 1)),
  profession TEXT NOT NULL,
  created_at BIGINT NOT NULL
);

CREATE TABLE roles (
  id {{id}},
  person_id BIGINT NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
  organisation_id BIGINT NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
  role TEXT NOT NULL CHECK (role IN ('representative', 'contact', 'manager')),
  created_at BIGINT NOT NULL,
  UNIQUE (person_id, organisation_id, role)
);
CREATE INDEX roles_organisation ON roles (organisation_id);

-- Issuer + subject serialNumber stays the same when a card is renewed (PRODUCT.md §3).
CREATE TABLE certificate_identities (
  id {{id}},
  person_id BIGINT NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
  issuer_dn TEXT NOT NULL,
  subject_serial TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  UNIQUE (issuer_dn, subject_serial)
);
CREATE INDEX certificate_identities_person ON certificate_identities (person_id);

CREATE TABLE validated_domains (
  id {{id}},
  organisation_id BIGINT NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
  domain TEXT NOT NULL,
  validated_at BIGINT NOT NULL,
  UNIQUE (organisation_id, domain)
);

-- Only the SHA-256 of the cookie value is stored, so a database dump yields no usable session.
CREATE TABLE sessions (
  id_hash TEXT PRIMARY KEY,
  person_id BIGINT NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
  certificate_fingerprint TEXT NOT NULL,
  csrf_token TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  last_seen_at BIGINT NOT NULL,
  organisation_id BIGINT REFERENCES organisations (id) ON DELETE SET NULL
);
CREATE INDEX sessions_person ON sessions (person_id);
CREATE INDEX sessions_last_seen ON sessions (last_seen_at);

-- The sequence is assigned by the writer as last + 1 (never by the database), so that it has
-- no gaps and is part of the hash chain.
CREATE TABLE audit_log (
  sequence BIGINT PRIMARY KEY,
  at BIGINT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  object TEXT NOT NULL,
  details TEXT NOT NULL,
  previous_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE INDEX audit_log_object ON audit_log (object, sequence);
CREATE INDEX audit_log_actor ON audit_log (actor, sequence);

-- dialect: sqlite
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only');
END;
-- dialect: postgresql
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = 'restrict_violation';
END;
$$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
-- dialect: all
