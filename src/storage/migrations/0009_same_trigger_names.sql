-- Both dialects name their triggers alike, so that the schema check (storage/schema.hpp) can
-- compare them: PostgreSQL's one UPDATE-or-DELETE guard of the audit log becomes the two that
-- SQLite has. Swapped in one transaction, so the log is never unguarded. The TRUNCATE guard
-- stays PostgreSQL's own (SQLite has no TRUNCATE).
-- dialect: postgresql
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
DROP TRIGGER audit_log_no_change ON audit_log;
-- dialect: all
