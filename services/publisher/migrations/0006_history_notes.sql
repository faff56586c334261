-- The approval's decisions written to the Xero bill's History and Notes (ADR 0051): how many
-- notes the write_history step wrote (null: not written), and each organisation's choice.
ALTER TABLE publications ADD COLUMN history_notes integer;

-- An organisation's publication settings, owned here: only the publisher acts on them. No row
-- means the defaults (notes on).
CREATE TABLE organisation_settings (
    organisation_id     uuid        PRIMARY KEY,
    xero_history_notes  boolean     NOT NULL DEFAULT true,
    changed_by          text        NOT NULL,
    changed_at          timestamptz NOT NULL DEFAULT now()
);
