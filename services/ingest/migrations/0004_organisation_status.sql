-- An organisation's status as approval (its system of record) last announced it on
-- approval.organisations.v1: while the operator has it suspended, Dext's items are refused.
CREATE TABLE organisation_status (
    organisation_id uuid        PRIMARY KEY,
    status          text        NOT NULL,
    occurred_at     timestamptz NOT NULL  -- of the event; an older one never overwrites
);
