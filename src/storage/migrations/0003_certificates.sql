-- Issued certificates, cards and the CA's issuance records (PRODUCT.md §5, §8).
-- Lists and exports read these columns; the DER is never re-parsed per row.

-- One row per issuance attempt, written before signing (Boulder's order: reserve serial →
-- build → check → sign → store → audit), so an interrupted issuance can be found and finished
-- or marked by `mijncert ca reconcile`.
CREATE TABLE issuances (
  id {{id}},
  issuing_ca TEXT NOT NULL,
  serial_hex TEXT NOT NULL,
  product TEXT NOT NULL,
  request TEXT NOT NULL DEFAULT '',      -- what the CA needs to store a signed certificate (JSON)
  state TEXT NOT NULL CHECK (state IN ('reserved', 'checked', 'signed', 'stored', 'failed')),
  tbs_sha256 TEXT NOT NULL DEFAULT '',   -- hash of the to-be-signed certificate once built
  pem TEXT NOT NULL DEFAULT '',          -- the signed certificate once signed
  failure TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  -- RFC 5280 §4.1.2.2: serials are unique per issuer.
  UNIQUE (issuing_ca, serial_hex)
);
CREATE INDEX issuances_state ON issuances (state, created_at);

CREATE TABLE cards (
  id {{id}},
  type TEXT NOT NULL CHECK (type IN ('personal', 'group', 'professional', 'mobile')),
  organisation_id BIGINT REFERENCES organisations (id),
  holder_id BIGINT REFERENCES persons (id),
  group_name TEXT NOT NULL DEFAULT '',
  manager_id BIGINT REFERENCES persons (id),
  requested_by BIGINT REFERENCES persons (id),
  created_at BIGINT NOT NULL
);
CREATE INDEX cards_organisation ON cards (organisation_id);
CREATE INDEX cards_holder ON cards (holder_id);

CREATE TABLE certificates (
  id {{id}},
  issuance_id BIGINT REFERENCES issuances (id),
  kind TEXT NOT NULL CHECK (kind IN ('server', 'personal', 'group', 'professional', 'mobile')),
  product TEXT NOT NULL,
  organisation_id BIGINT REFERENCES organisations (id),
  holder_id BIGINT REFERENCES persons (id),
  card_id BIGINT REFERENCES cards (id),
  common_name TEXT NOT NULL,
  common_name_lower TEXT NOT NULL,       -- for case-insensitive search and sort on both databases
  dns_names TEXT NOT NULL DEFAULT '',    -- SANs joined by ' ' (display and export)
  subject_dn TEXT NOT NULL,
  issuer_dn TEXT NOT NULL,
  issuing_ca TEXT NOT NULL,
  serial_hex TEXT NOT NULL,
  not_before BIGINT NOT NULL,
  not_after BIGINT NOT NULL,
  revoked_at BIGINT,
  revocation_reason TEXT NOT NULL DEFAULT '',
  key_description TEXT NOT NULL,
  sha256_fingerprint TEXT NOT NULL UNIQUE,
  policy_oids TEXT NOT NULL DEFAULT '',  -- joined by ' '
  manager_id BIGINT REFERENCES persons (id),
  requested_by BIGINT REFERENCES persons (id),
  pem TEXT NOT NULL,
  issued_at BIGINT NOT NULL,
  UNIQUE (issuing_ca, serial_hex)
);
-- The overview pages through one organisation's server certificates by end date or name; these
-- indexes keep that an index range scan with 100,000 certificates in one organisation.
CREATE INDEX certificates_org_kind_not_after ON certificates (organisation_id, kind, not_after, id);
CREATE INDEX certificates_org_kind_name ON certificates (organisation_id, kind, common_name_lower, id);
CREATE INDEX certificates_holder ON certificates (holder_id);
CREATE INDEX certificates_card ON certificates (card_id);
CREATE INDEX certificates_revoked ON certificates (issuing_ca, revoked_at);

-- Every SAN once, for exact and prefix search by name.
CREATE TABLE certificate_names (
  certificate_id BIGINT NOT NULL REFERENCES certificates (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  PRIMARY KEY (certificate_id, name)
);
CREATE INDEX certificate_names_name ON certificate_names (name);

-- CRL numbers per issuing CA (RFC 5280 §5.2.3: monotonically increasing).
CREATE TABLE crl_numbers (
  issuing_ca TEXT PRIMARY KEY,
  last_number BIGINT NOT NULL
);
