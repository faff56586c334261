-- What intake does with a likely duplicate cost item (an administrator's setting, announced on
-- approval.organisations.v1 for ingest, which applies it): 'warn' marks it, 'block' refuses it.
ALTER TABLE organisations
    ADD COLUMN duplicate_policy text NOT NULL DEFAULT 'warn'
        CHECK (duplicate_policy IN ('warn', 'block'));
