-- Step deadlines: when the current step's deadline passes undecided (and it was not reminded of
-- yet), the reminder pass emits RequestStepOverdue. ``due_at`` is that moment, null otherwise;
-- the partial index keeps the pass to the few rows that have one.

ALTER TABLE requests ADD COLUMN due_at timestamptz;
CREATE INDEX requests_due ON requests (due_at) WHERE due_at IS NOT NULL;
