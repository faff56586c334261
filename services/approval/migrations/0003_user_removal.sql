-- Removing a user: the row stays (decisions and workflow versions refer to it), marked removed,
-- and every token of theirs is revoked in the same transaction. An email is unique among the
-- organisation's current users only, so a person who left can be added again later.

ALTER TABLE users
    ADD COLUMN removed_at timestamptz,
    ADD COLUMN removed_by uuid REFERENCES users;

ALTER TABLE users DROP CONSTRAINT users_organisation_id_email_key;
CREATE UNIQUE INDEX users_current_email ON users (organisation_id, email) WHERE removed_at IS NULL;
