-- Recouvre foundation schema (SQLite). Keep in step with ../postgres/0001_foundation.sql:
-- a test compares both schemas' tables and columns.
-- Money is INTEGER cents. Dates are ISO TEXT (YYYY-MM-DD), instants RFC 3339 TEXT. Journal payloads are TEXT, not
-- JSON functions, because the hash chain covers the exact bytes.

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    login TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL,
    delegation_level INTEGER NOT NULL DEFAULT 1,
    password_hash TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until TEXT,
    created_at TEXT NOT NULL
);

CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at TEXT
);

CREATE TABLE persons (
    id INTEGER PRIMARY KEY,
    customer_number TEXT NOT NULL UNIQUE,
    last_name TEXT NOT NULL,
    first_name TEXT NOT NULL,
    search_key TEXT NOT NULL,
    birth_date TEXT,
    address_line TEXT NOT NULL,
    postcode TEXT NOT NULL,
    city TEXT NOT NULL,
    phone TEXT,
    email TEXT,
    iban TEXT,
    family_situation TEXT NOT NULL,
    dependants INTEGER NOT NULL,
    employment TEXT NOT NULL,
    employer TEXT,
    monthly_income_cents INTEGER NOT NULL,
    monthly_charges_cents INTEGER NOT NULL,
    deceased_on TEXT,
    protection TEXT NOT NULL,
    guardian_name TEXT,
    guardian_address TEXT,
    over_indebtedness TEXT NOT NULL,
    ficp_registered INTEGER NOT NULL
);
CREATE INDEX persons_iban ON persons(iban);

CREATE TABLE cases (
    id INTEGER PRIMARY KEY,
    reference TEXT NOT NULL UNIQUE,
    debtor_id INTEGER NOT NULL REFERENCES persons(id),
    officer_id INTEGER REFERENCES users(id),
    status TEXT NOT NULL,
    main_nature TEXT NOT NULL,
    opened_on TEXT NOT NULL,
    closed_on TEXT,
    tags TEXT NOT NULL,
    -- Projection of the claims' amounts, updated in the same transaction as they are, so that
    -- the case list can filter and sort by amount over a million cases.
    total_cents INTEGER NOT NULL,
    -- Debtor's search key, copied here so that a name search is one index range scan.
    search_key TEXT NOT NULL,
    -- Sequence number of the last journal event: the optimistic-concurrency version.
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX cases_debtor ON cases(debtor_id);
CREATE INDEX cases_opened ON cases(opened_on, id);
CREATE INDEX cases_total ON cases(total_cents, id);
CREATE INDEX cases_officer_opened ON cases(officer_id, opened_on, id);
CREATE INDEX cases_status_opened ON cases(status, opened_on, id);
CREATE INDEX cases_search ON cases(search_key, id);

CREATE TABLE case_parties (
    case_id INTEGER NOT NULL REFERENCES cases(id),
    person_id INTEGER NOT NULL REFERENCES persons(id),
    role TEXT NOT NULL,
    PRIMARY KEY (case_id, person_id, role)
);
CREATE INDEX case_parties_person ON case_parties(person_id);

CREATE TABLE claims (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    contract_ref TEXT NOT NULL UNIQUE,
    nature TEXT NOT NULL,
    principal_cents INTEGER NOT NULL,
    contractual_interest_cents INTEGER NOT NULL,
    statutory_interest_cents INTEGER NOT NULL,
    costs_cents INTEGER NOT NULL,
    penalties_cents INTEGER NOT NULL,
    contractual_rate TEXT,
    opened_on TEXT,
    due_on TEXT NOT NULL,
    first_incident_on TEXT,
    last_payment_on TEXT
);
CREATE INDEX claims_case ON claims(case_id);

CREATE TABLE guarantees (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    kind TEXT NOT NULL,
    description TEXT NOT NULL,
    amount_cents INTEGER NOT NULL
);
CREATE INDEX guarantees_case ON guarantees(case_id);

CREATE TABLE other_accounts (
    id INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES persons(id),
    kind TEXT NOT NULL,
    account_number TEXT NOT NULL UNIQUE,
    balance_cents INTEGER NOT NULL
);
CREATE INDEX other_accounts_person ON other_accounts(person_id);

CREATE TABLE case_notes (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    author TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX case_notes_case ON case_notes(case_id);

CREATE TABLE case_events (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    sequence INTEGER NOT NULL,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    actor TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    previous_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    UNIQUE (case_id, sequence)
);

CREATE TABLE access_log (
    id INTEGER PRIMARY KEY,
    user_login TEXT NOT NULL,
    case_id INTEGER,
    person_id INTEGER,
    path TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX access_log_case ON access_log(case_id, at);
CREATE INDEX access_log_person ON access_log(person_id, at);

CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE imports (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    file_name TEXT NOT NULL,
    file_sha256 TEXT NOT NULL,
    lines INTEGER NOT NULL,
    cases_created INTEGER NOT NULL,
    imported_by TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    UNIQUE (kind, file_sha256)
);

CREATE TABLE reference_entries (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    entry TEXT NOT NULL,
    entered_by TEXT NOT NULL,
    entered_at TEXT NOT NULL
);
