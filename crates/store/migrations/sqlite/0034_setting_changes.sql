-- Dual control of the bank's settings (issue 23, finding 6): the collection IBAN, the creditor
-- identifier, the authority matrix and the workflow rules change only through a request that
-- ANOTHER administrator approves. Each request keeps the value in force when it was made (NULL:
-- the embedded default), the new one, who proposed it, who decided and when: the history.
CREATE TABLE setting_changes (
    id INTEGER PRIMARY KEY,
    subject TEXT NOT NULL,
    old_value TEXT,
    new_value TEXT NOT NULL,
    proposed_by TEXT NOT NULL,
    proposed_at TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected')),
    decided_by TEXT,
    decided_at TEXT,
    -- Four eyes, also against a hand-written UPDATE: the proposer never approves.
    CHECK (status <> 'approved' OR (decided_by IS NOT NULL AND decided_by <> proposed_by))
);
CREATE INDEX setting_changes_subject ON setting_changes(subject, id);
