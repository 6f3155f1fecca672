-- Published CRLs (ADR 0011): every portal node serves and loads the same CRL from the database,
-- whichever node regenerated it. One row per CRL number of an issuing CA.
CREATE TABLE published_crls (
  issuing_ca TEXT NOT NULL,
  crl_number BIGINT NOT NULL,
  pem TEXT NOT NULL,
  this_update BIGINT NOT NULL,
  next_update BIGINT NOT NULL,
  PRIMARY KEY (issuing_ca, crl_number)
);
