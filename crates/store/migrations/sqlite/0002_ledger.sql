-- The double-entry ledger (issue 5). Keep in step with ../postgres/0002_ledger.sql.
-- A transaction's postings sum to zero; postings are never updated or deleted (corrections are
-- reversing transactions). Postings without a case belong to the suspense ledger.

CREATE TABLE ledger_transactions (
    id INTEGER PRIMARY KEY,
    case_id INTEGER REFERENCES cases(id),
    kind TEXT NOT NULL,
    booked_on TEXT NOT NULL,
    -- What the money was: a statement entry key, a suspense item, a write-off request…
    reference TEXT NOT NULL,
    reverses INTEGER REFERENCES ledger_transactions(id),
    actor TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX ledger_transactions_case ON ledger_transactions(case_id, id);
CREATE INDEX ledger_transactions_booked ON ledger_transactions(booked_on, id);

CREATE TABLE ledger_postings (
    id INTEGER PRIMARY KEY,
    transaction_id INTEGER NOT NULL REFERENCES ledger_transactions(id),
    case_id INTEGER REFERENCES cases(id),
    account TEXT NOT NULL,
    -- Positive: debit. Negative: credit.
    amount_cents INTEGER NOT NULL
);
CREATE INDEX ledger_postings_case ON ledger_postings(case_id, account);
CREATE INDEX ledger_postings_transaction ON ledger_postings(transaction_id);

-- Money received that could not be matched with confidence (compte d'instance).
CREATE TABLE suspense_items (
    id INTEGER PRIMARY KEY,
    received_on TEXT NOT NULL,
    amount_cents INTEGER NOT NULL,
    payer_name TEXT,
    payer_iban TEXT,
    reference TEXT,
    -- A case the matcher found plausible, for the officer to confirm.
    suggested_case_id INTEGER REFERENCES cases(id),
    reason TEXT NOT NULL,
    status TEXT NOT NULL,
    case_id INTEGER REFERENCES cases(id),
    resolved_by TEXT,
    resolved_at TEXT,
    source_key TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);
CREATE INDEX suspense_items_status ON suspense_items(status, received_on);

-- Each statement entry booked once, whatever file brings it again.
CREATE TABLE statement_entries (
    entry_key TEXT PRIMARY KEY,
    file_name TEXT NOT NULL,
    line INTEGER NOT NULL,
    amount_cents INTEGER NOT NULL,
    case_id INTEGER REFERENCES cases(id),
    suspense_item_id INTEGER REFERENCES suspense_items(id),
    transaction_id INTEGER REFERENCES ledger_transactions(id),
    imported_at TEXT NOT NULL
);
