-- The schedule of an instalment loan, as core banking sends it in the parties file (issue 17,
-- part 8; docs/formats/parties-csv.md): one row per instalment, keyed by claim and due date so
-- that importing the schedule again adds nothing. Kept for the time-bar engine (C. consom.
-- R312-35: foreclosure runs from the first unregularised instalment).
CREATE TABLE claim_instalments (
    claim_id INTEGER NOT NULL REFERENCES claims(id),
    due_on TEXT NOT NULL,
    amount_cents INTEGER NOT NULL,
    PRIMARY KEY (claim_id, due_on)
);
