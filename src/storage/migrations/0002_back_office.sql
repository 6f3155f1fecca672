-- Registry and Servicedesk back office (PRODUCT.md §7): proposed certificate managers,
-- professional holders' application data, and the organisation an audit record concerns.

-- A certificate manager proposed in an order is recorded at once but listed (and counted as a
-- membership) only once active (PRODUCT.md §5).
ALTER TABLE roles ADD COLUMN active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1));

-- What was recorded at a professional holder's card application (PRODUCT.md §6).
CREATE TABLE professional_details (
  person_id BIGINT PRIMARY KEY REFERENCES persons (id) ON DELETE CASCADE,
  registration_number TEXT NOT NULL,
  street TEXT NOT NULL,
  postal_code TEXT NOT NULL,
  city TEXT NOT NULL,
  country TEXT NOT NULL,
  billing_street TEXT NOT NULL,
  billing_postal_code TEXT NOT NULL,
  billing_city TEXT NOT NULL,
  billing_country TEXT NOT NULL,
  billing_attention_of TEXT NOT NULL,
  billing_email TEXT NOT NULL,
  billing_purchase_order_reference TEXT NOT NULL,
  billing_vat_number TEXT NOT NULL
);

-- "organisation:<id>" when a record about another object (e.g. a person's role) concerns an
-- organisation, so that the organisation's log shows it; '' otherwise. Part of the hash.
ALTER TABLE audit_log ADD COLUMN context TEXT NOT NULL DEFAULT '';
CREATE INDEX audit_log_context ON audit_log (context, sequence);
