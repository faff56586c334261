CREATE TABLE seen (
    event_id   uuid PRIMARY KEY,
    subject_id text NOT NULL
);
