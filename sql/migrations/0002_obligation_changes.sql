-- Obligations edited through the API: who confirmed a row that came only from
-- recall, and who last changed it. A row with updated_at set was changed by a user, so the
-- geodata loader keeps it as it is instead of letting obligations.csv overwrite it.

ALTER TABLE obligations
  ADD COLUMN confirmed_by bigint REFERENCES users (id),
  ADD COLUMN confirmed_at timestamptz,
  ADD COLUMN updated_by   bigint REFERENCES users (id),
  ADD COLUMN updated_at   timestamptz,
  ADD CHECK ((confirmed_by IS NULL) = (confirmed_at IS NULL)),
  ADD CHECK (confirmed_at IS NULL OR confidence = 'verified');

-- NULL for extensions shipped in geodata/obligations.csv; set for those users added.
ALTER TABLE obligation_extensions
  ADD COLUMN created_by bigint REFERENCES users (id),
  ADD COLUMN created_at timestamptz;
