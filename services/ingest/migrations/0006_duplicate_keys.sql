-- Likely duplicates at intake (domain/duplicates.py): each cost item version keeps the keys two
-- items must share to match, folded as the rules compare them, so a new item is checked with an
-- index lookup. Versions stored before this migration have none: they are not matched.
ALTER TABLE item_versions
    ADD COLUMN reference_key text,  -- supplier | document reference (null: Dext sent none)
    ADD COLUMN amount_key    text;  -- supplier | issue date | currency | total
CREATE INDEX item_versions_reference_key ON item_versions (organisation_id, reference_key)
    WHERE reference_key IS NOT NULL;
CREATE INDEX item_versions_amount_key ON item_versions (organisation_id, amount_key)
    WHERE amount_key IS NOT NULL;

-- What intake does with a likely duplicate, as approval (the organisation's system of record)
-- last announced it on approval.organisations.v1: 'warn' (take and mark) or 'block' (refuse).
CREATE TABLE duplicate_policies (
    organisation_id uuid        PRIMARY KEY,
    policy          text        NOT NULL CHECK (policy IN ('warn', 'block')),
    occurred_at     timestamptz NOT NULL  -- of the event; an older one never overwrites
);
