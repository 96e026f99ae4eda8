-- SEPA mandates entered over the API and the case page (issue 21, item 2): a mandate is
-- recurrent (FRST then RCUR) or one-off (OOFF, collected once). Keep in step with
-- ../postgres/0028_mandate_kinds.sql: a test compares both schemas' tables and columns.
ALTER TABLE sepa_mandates ADD COLUMN sequence_kind TEXT NOT NULL DEFAULT 'recurrent'
    CHECK (sequence_kind IN ('recurrent', 'one_off'));

-- Transfers out (pain.001, issue 21 item 4): each file produced, and the suspense items it
-- pays back to their payer (once: an item is in at most one file).
CREATE TABLE transfer_exports (
    id INTEGER PRIMARY KEY,
    message_id TEXT NOT NULL UNIQUE,
    execution_date TEXT NOT NULL,
    -- pain.001.001.03 or pain.001.001.09.
    version TEXT NOT NULL,
    count INTEGER NOT NULL,
    total_cents INTEGER NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
ALTER TABLE suspense_items ADD COLUMN transferred_in TEXT;
