-- Out of office: while a user is away, their substitute decides in their place. One absence per
-- user at a time (setting another replaces it); it ends by itself at ends_at.

CREATE TABLE absences (
    user_id         uuid        PRIMARY KEY REFERENCES users,
    organisation_id uuid        NOT NULL REFERENCES organisations,
    substitute_id   uuid        NOT NULL REFERENCES users,
    starts_at       timestamptz NOT NULL,
    ends_at         timestamptz NOT NULL,
    set_by          uuid        NOT NULL REFERENCES users,
    set_at          timestamptz NOT NULL DEFAULT now(),
    CHECK (ends_at > starts_at),
    CHECK (substitute_id <> user_id)
);
CREATE INDEX absences_substitute ON absences (substitute_id, ends_at);
