-- The portal keeps no holder's private key (ADR 0020). The demo card bureau kept the
-- authentication key of every card it made here as a PKCS#12 "soft card" under a constant
-- password, in every deployment; it now keeps its keys as files in the demo directory, and
-- nothing reads or writes this table any more. A database carries no mark of being a demo, so
-- the soft cards go from every database (demo soft cards made before this migration can no longer
-- be downloaded; `mijncert init-dev --force` makes a fresh demo). The empty table stays for nodes
-- still on the previous release during a rolling upgrade (docs/operations.md §Upgrading) and is
-- dropped in a later release.
DELETE FROM soft_cards;
