-- Requests that exceed the requester's delegation wait for another person's decision (four
-- eyes). Keep in step with ../postgres/0003_approvals.sql.
CREATE TABLE approval_requests (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    kind TEXT NOT NULL,
    -- The decision to carry out once approved, as JSON text.
    payload TEXT NOT NULL,
    amount_cents INTEGER NOT NULL,
    reason TEXT NOT NULL,
    requested_by TEXT NOT NULL,
    requested_at TEXT NOT NULL,
    status TEXT NOT NULL,
    decided_by TEXT,
    decided_at TEXT,
    decision_reason TEXT
);
CREATE INDEX approval_requests_status ON approval_requests(status, requested_at);
CREATE INDEX approval_requests_case ON approval_requests(case_id);
