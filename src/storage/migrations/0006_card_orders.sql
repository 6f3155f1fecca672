-- Card orders (ADR 0007): what a card order holds, the card production made for it, when each
-- status was reached (shown to the customer), activation codes of mobile certificates and the
-- demo card bureau's soft cards.
ALTER TABLE orders ADD COLUMN card_details TEXT NOT NULL DEFAULT '';  -- JSON; '' for server orders
ALTER TABLE orders ADD COLUMN produced_card_id BIGINT REFERENCES cards (id);
-- A professional holder's own orders (no organisation).
CREATE INDEX orders_requester ON orders (requested_by, created_at, id);

CREATE TABLE order_steps (
  id {{id}},                          -- the order in which steps were taken
  order_id BIGINT NOT NULL REFERENCES orders (id),
  status TEXT NOT NULL,
  at BIGINT NOT NULL,
  UNIQUE (order_id, status)
);

-- A card is made once per order: a second production of the same order is refused.
ALTER TABLE cards ADD COLUMN order_id BIGINT REFERENCES orders (id);
CREATE UNIQUE INDEX cards_one_per_order ON cards (order_id) WHERE order_id IS NOT NULL;

-- Activation code of an approved mobile certificate order: only its hash is kept, it expires,
-- and it is used once (enrolment). A new code replaces the previous one.
CREATE TABLE activation_codes (
  order_id BIGINT PRIMARY KEY REFERENCES orders (id),
  code_sha256 TEXT NOT NULL UNIQUE,
  expires_at BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  used_at BIGINT
);

-- Demo card bureau only: the PKCS#12 "soft card" the Servicedesk hands out instead of a card.
CREATE TABLE soft_cards (
  card_id BIGINT PRIMARY KEY REFERENCES cards (id),
  pkcs12 TEXT NOT NULL,              -- base64 of the DER
  created_at BIGINT NOT NULL
);
