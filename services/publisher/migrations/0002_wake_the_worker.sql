-- Wake the publication worker when work becomes due: a NOTIFY on publications_<schema> when a
-- job is recorded or put back to work (reopened, released), or an organisation connects to
-- Xero, delivered when that transaction commits. Every instance's worker LISTENs; its poll
-- only catches up after a missed notification (and finds jobs whose backoff has run out).
CREATE FUNCTION publications_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('publications_' || TG_TABLE_SCHEMA, '');
    RETURN NULL;
END $$;

CREATE TRIGGER publications_due_notify
    AFTER INSERT OR UPDATE OF state, leased_until, next_attempt_at ON publications
    FOR EACH ROW
    WHEN (NEW.state IN ('recorded', 'publishing') AND NEW.leased_until IS NULL
          AND NEW.next_attempt_at <= now())
    EXECUTE FUNCTION publications_notify();

CREATE TRIGGER xero_connections_notify
    AFTER INSERT OR UPDATE OF status ON xero_connections
    FOR EACH ROW WHEN (NEW.status = 'connected')
    EXECUTE FUNCTION publications_notify();

-- The due-work index named states the table no longer uses ('pending', 'running'), so finding
-- due work read every publication ever made: now that each commit wakes the worker, that query
-- runs per job. Index the states work is due in.
DROP INDEX publications_due;
CREATE INDEX publications_due ON publications (organisation_id, next_attempt_at)
    WHERE state IN ('recorded', 'publishing');
