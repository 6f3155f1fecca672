-- A validated domain records how it was validated and by whom (ADR 0025); when is the existing
-- validated_at, the moment the row was written. The expiry is not stored: it is validated_at
-- plus the configured period (orders.domain_validation_days), so a shorter period takes effect
-- for every validation at once.
-- Rows from before this migration were written when the Servicedesk added the domain: their
-- validated_at stays that moment, and how they were validated is not known ('unknown', nobody).
ALTER TABLE validated_domains ADD COLUMN method TEXT NOT NULL DEFAULT 'unknown'
  CHECK (method IN ('unknown', 'servicedesk', 'dns', 'email'));
ALTER TABLE validated_domains ADD COLUMN validated_by TEXT;

-- The Servicedesk's list of expiring validations reads them oldest first.
CREATE INDEX validated_domains_validated_at ON validated_domains (validated_at);
