-- Account lockout: consecutive failed logins per user and, once they reach
-- LOGIN_LOCKOUT_ATTEMPTS, the time until which the account refuses every login, right or wrong.
-- A successful login resets both. Kept on the user row so every server process sees the same lock.
ALTER TABLE users
  ADD COLUMN failed_logins integer NOT NULL DEFAULT 0 CHECK (failed_logins >= 0),
  ADD COLUMN locked_until  timestamptz,
  ADD COLUMN password_changed_at timestamptz;

-- Backups (npm run backup / restore): pg_restore runs with an empty search_path, and the generated
-- column countries.label_point calls sg_label_point, whose body names PostGIS functions unqualified.
-- Pinning the function's search_path lets a dump restore (a generated column never inlines it anyway).
ALTER FUNCTION sg_label_point(geometry) SET search_path = public, pg_catalog;
