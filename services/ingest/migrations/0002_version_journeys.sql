-- Each version keeps its own journey (status and detail), so when approval refuses a newer
-- version the news of the version it kept — which may have arrived meanwhile — is still there.
-- The item shows one version's journey (`shown_version`: the latest, unless approval refused
-- it), and what Dext asked that is still open or was refused: a withdrawal, a republish.
ALTER TABLE item_versions
    ADD COLUMN status        text        NOT NULL DEFAULT 'received',
    ADD COLUMN status_detail jsonb       NOT NULL DEFAULT '{}',
    ADD COLUMN status_updated_at timestamptz NOT NULL DEFAULT now();

UPDATE item_versions v
   SET status = i.status, status_detail = i.status_detail, status_updated_at = i.updated_at
  FROM items i
 WHERE v.organisation_id = i.organisation_id AND v.dext_item_id = i.dext_item_id
   AND v.version = i.latest_version;

ALTER TABLE items
    ADD COLUMN shown_version     integer,
    ADD COLUMN withdrawal        jsonb,
    ADD COLUMN refused_republish jsonb;
UPDATE items SET shown_version = latest_version;
ALTER TABLE items
    ALTER COLUMN shown_version SET NOT NULL,
    DROP COLUMN status,
    DROP COLUMN status_detail;
