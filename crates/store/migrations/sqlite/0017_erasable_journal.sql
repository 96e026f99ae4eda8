-- The erasable envelope of journal events (issue 15): personal data kept apart from the hashed
-- payload, with its salt and the salted digest the chain covers. `envelope` 1 marks the events
-- recorded before (the whole payload hashed); new events are written with 2.
ALTER TABLE case_events ADD COLUMN personal TEXT;
ALTER TABLE case_events ADD COLUMN personal_salt TEXT;
ALTER TABLE case_events ADD COLUMN personal_digest TEXT;
ALTER TABLE case_events ADD COLUMN envelope INTEGER NOT NULL DEFAULT 1;

-- The cut-over's seal of each case's legacy events, once their personal fields were split out
-- (docs/journal.md).
CREATE TABLE journal_seals (
    case_id INTEGER PRIMARY KEY REFERENCES cases(id),
    legacy_events INTEGER NOT NULL,
    digest TEXT NOT NULL,
    sealed_at TEXT NOT NULL
);
