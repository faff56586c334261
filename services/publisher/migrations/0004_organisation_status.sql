-- An organisation's status as approval (its system of record) last announced it on
-- approval.organisations.v1. While the operator has it suspended its publications pause (the
-- worker does not take them; nothing fails) and its syncs stop; reactivated, the commit wakes
-- the worker (publications_notify, migration 0002) and everything resumes.
CREATE TABLE organisation_status (
    organisation_id uuid        PRIMARY KEY,
    status          text        NOT NULL,
    occurred_at     timestamptz NOT NULL  -- of the event; an older one never overwrites
);

CREATE TRIGGER organisation_status_notify
    AFTER INSERT OR UPDATE OF status ON organisation_status
    FOR EACH ROW WHEN (NEW.status <> 'suspended')
    EXECUTE FUNCTION publications_notify();
