-- The recovery workflow (issue 4): assessments, strategy recommendations, procedures, the agenda,
-- third parties, requests to other departments, absences. Keep in step with
-- ../postgres/0008_workflow.sql: a test compares both schemas' tables and columns.

-- Every financial assessment is kept, dated (its input and what it computed, as JSON).
CREATE TABLE assessments (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    assessed_on TEXT NOT NULL,
    input TEXT NOT NULL,
    result TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX assessments_case ON assessments(case_id, id);

-- What the strategy engine recommended, and what the officer decided.
CREATE TABLE recommendations (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    rule_id TEXT NOT NULL,
    strategy TEXT NOT NULL,
    explanation TEXT NOT NULL,
    -- The whole recommendation (actions, warnings), as JSON.
    body TEXT NOT NULL,
    facts_digest TEXT NOT NULL,
    rules_version TEXT NOT NULL,
    -- proposed, accepted, overridden, superseded
    status TEXT NOT NULL,
    chosen_strategy TEXT,
    decision_reason TEXT,
    decided_by TEXT,
    decided_at TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX recommendations_case ON recommendations(case_id, id);

-- Procedures under way on a case and their current state (each step is a journal event).
CREATE TABLE procedures (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    kind TEXT NOT NULL,
    state TEXT NOT NULL,
    started_on TEXT NOT NULL,
    updated_on TEXT NOT NULL,
    third_party_id INTEGER,
    costs_cents INTEGER NOT NULL,
    recovered_cents INTEGER NOT NULL,
    closed INTEGER NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX procedures_case ON procedures(case_id, id);

-- The agenda: legal deadlines opened by procedure steps, and actions planned by the strategy.
CREATE TABLE agenda_items (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    procedure_id INTEGER REFERENCES procedures(id),
    -- deadline (legal) or action (planned)
    kind TEXT NOT NULL,
    code TEXT NOT NULL,
    label TEXT NOT NULL,
    due_on TEXT NOT NULL,
    nominal_on TEXT,
    legal_basis TEXT,
    warn_days INTEGER NOT NULL,
    -- open, done, cancelled, suspended (over-indebtedness)
    status TEXT NOT NULL,
    created_at TEXT NOT NULL,
    closed_at TEXT
);
CREATE INDEX agenda_items_open ON agenda_items(status, due_on);
CREATE INDEX agenda_items_case ON agenda_items(case_id, status);

-- Bailiffs, lawyers, agencies, notaries, courts, guardians.
CREATE TABLE third_parties (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    address TEXT NOT NULL,
    email TEXT,
    phone TEXT,
    jurisdiction TEXT,
    fee_terms TEXT,
    created_at TEXT NOT NULL
);

-- Recommendations to other departments of the bank about the debtor's other accounts.
CREATE TABLE department_requests (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    department TEXT NOT NULL,
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    -- sent, acknowledged, answered
    status TEXT NOT NULL,
    answer TEXT,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    handled_by TEXT,
    handled_at TEXT
);
CREATE INDEX department_requests_status ON department_requests(department, status);

-- An absent officer's agenda is handed to a colleague for the period.
CREATE TABLE absences (
    id INTEGER PRIMARY KEY,
    officer_login TEXT NOT NULL,
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    cover_login TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);

-- Specialties for distribution (estates, protected adults, large amounts), comma-separated.
ALTER TABLE users ADD COLUMN specialties TEXT NOT NULL DEFAULT '';
