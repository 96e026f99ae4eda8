-- SEPA mandates entered over the API and the case page (issue 21, item 2): a mandate is
-- recurrent (FRST then RCUR) or one-off (OOFF, collected once). Keep in step with
-- ../sqlite/0028_mandate_kinds.sql: a test compares both schemas' tables and columns.
ALTER TABLE sepa_mandates ADD COLUMN sequence_kind TEXT NOT NULL DEFAULT 'recurrent'
    CHECK (sequence_kind IN ('recurrent', 'one_off'));
