-- What the notifier remembers of each request (from RequestOpened, refreshed by
-- RequestAuthorised), so later mails can name the bill and reach its requester: the events
-- that follow carry neither.
CREATE TABLE requests (
    request_id      uuid        PRIMARY KEY,
    organisation_id uuid        NOT NULL,
    dext_item_id    text        NOT NULL,
    item_version    integer     NOT NULL,
    bill            jsonb       NOT NULL,  -- the summary a mail shows (domain/bills.py)
    requester_email text        NOT NULL,
    requester_name  text        NOT NULL,
    recorded_at     timestamptz NOT NULL DEFAULT now()
);

-- Every mail, keyed by what it is about, so a redelivered or reordered event never sends
-- twice: one row per (organisation, request, kind, step, recipient, occasion). A row is
-- recorded pending in the consumer's transaction; the sender (handlers/sending.py) claims it
-- with a lease, asks approval for the buttons' grant when it has some, sends it and marks it
-- sent. The grant is never stored: it is asked for at each try and goes only into the mail.
--
-- Room for what comes later: a daily digest is (organisation, NULL request, 'digest', NULL
-- step, recipient, occasion = the day); a reminder 24 h before a deadline is 'due_soon' with
-- its request and step; a connection alert to an admin is 'connection' with NULL request and
-- occasion = the connection change it is about.
CREATE TABLE mail (
    id              bigserial   PRIMARY KEY,
    organisation_id uuid        NOT NULL,
    request_id      uuid,
    kind            text        NOT NULL,
    step_index      integer,
    recipient       text        NOT NULL,  -- the address, lower-cased
    occasion        text        NOT NULL DEFAULT '',
    user_id         uuid,                  -- the person at approval: the grant is theirs
    facts           jsonb       NOT NULL,  -- what the mail says (domain/mail.py MailFacts)
    state           text        NOT NULL DEFAULT 'pending'
                                CHECK (state IN ('pending', 'sent', 'skipped', 'failed')),
    attempts        integer     NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    leased_until    timestamptz,
    last_error      text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    done_at         timestamptz,
    CONSTRAINT mail_once UNIQUE NULLS NOT DISTINCT
        (organisation_id, request_id, kind, step_index, recipient, occasion)
);

CREATE INDEX mail_due ON mail (next_attempt_at) WHERE state = 'pending';

-- Wakes the sender when a mail becomes due, as the transaction that records it commits;
-- its poll only catches up after a missed notification and finds retries whose wait is over.
CREATE FUNCTION mail_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('mail_' || TG_TABLE_SCHEMA, '');
    RETURN NULL;
END $$;

CREATE TRIGGER mail_pending_notify AFTER INSERT ON mail
    FOR EACH STATEMENT EXECUTE FUNCTION mail_notify();
