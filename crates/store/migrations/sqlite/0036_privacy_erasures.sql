-- What the purge erased (issue 24, part 3; docs/privacy.md): one row per case whose personal data
-- was anonymised when its retention ended (GDPR art. 5(1)(e)), written in the same transaction as
-- the erasure, so a rerun skips the cases already done and completes the others. It says when,
-- under which rule of which version of the retention policy, and how many rows of each kind were
-- anonymised — never the data itself.
CREATE TABLE privacy_erasures (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL UNIQUE REFERENCES cases(id),
    -- The rule that kept the personal data the longest (`retention_policy.toml`'s code).
    rule TEXT NOT NULL,
    policy_version TEXT NOT NULL,
    -- The first day the data could be erased, and the date the purge ran for.
    due_on TEXT NOT NULL,
    as_of TEXT NOT NULL,
    -- JSON object: kind of data → rows anonymised (events, notes, contacts, attachments, …).
    erased TEXT NOT NULL,
    erased_by TEXT NOT NULL,
    erased_at TEXT NOT NULL
);
