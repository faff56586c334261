-- What each baseline stage keeps of an item: the raw body (front), the event (middle), a job
-- the worker sends on (back).
CREATE TABLE items (
    item_id text PRIMARY KEY,
    body bytea NOT NULL,
    sent boolean NOT NULL DEFAULT false,
    claimed_until timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX items_unsent ON items (created_at) WHERE NOT sent;
