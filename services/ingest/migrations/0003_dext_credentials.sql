-- Dext secrets become credentials an organisation's admins issue, rotate and revoke: each has
-- an id to be named by, who issued it (an admin's user id; NULL for one the operator
-- registered), when it last verified a call (written at most once a minute), and, once it is
-- the previous one of a rotation, until when it still verifies.
ALTER TABLE dext_secrets
    ADD COLUMN credential_id uuid        NOT NULL DEFAULT gen_random_uuid(),
    ADD COLUMN created_by    uuid,
    ADD COLUMN last_used_at  timestamptz,
    ADD COLUMN valid_until   timestamptz;

-- A rotation already under way ends, at the latest, after the default overlap (7 days) from
-- now; until then both secrets keep verifying, as they did.
UPDATE dext_secrets SET valid_until = now() + interval '7 days' WHERE role = 'previous';

ALTER TABLE dext_secrets
    ADD CONSTRAINT dext_secrets_credential_id_key UNIQUE (credential_id),
    ADD CONSTRAINT dext_secrets_previous_ends
        CHECK ((role = 'previous') = (valid_until IS NOT NULL));
