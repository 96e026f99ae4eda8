-- Payment plans, their instalments, SEPA Core mandates and the direct-debit files (pain.008)
-- that collect them (issue 5, item 4). Keep in step with ../postgres/0004_direct_debits.sql:
-- a test compares both schemas' tables and columns.

CREATE TABLE payment_plans (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    status TEXT NOT NULL CHECK (status IN ('active', 'completed', 'lapsed', 'cancelled')),
    total_cents INTEGER NOT NULL,
    first_due TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX payment_plans_case ON payment_plans(case_id, id);
-- At most one active plan per case.
CREATE UNIQUE INDEX payment_plans_one_active ON payment_plans(case_id) WHERE status = 'active';

CREATE TABLE sepa_mandates (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    -- Unique mandate reference (RUM).
    reference TEXT NOT NULL UNIQUE,
    debtor_name TEXT NOT NULL,
    debtor_iban TEXT NOT NULL,
    debtor_bic TEXT,
    signed_on TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('active', 'revoked')),
    -- Set by the first collection: later ones are RCUR.
    first_collected_on TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX sepa_mandates_case ON sepa_mandates(case_id, id);
-- At most one active mandate per case.
CREATE UNIQUE INDEX sepa_mandates_one_active ON sepa_mandates(case_id) WHERE status = 'active';

CREATE TABLE instalments (
    id INTEGER PRIMARY KEY,
    plan_id INTEGER NOT NULL REFERENCES payment_plans(id),
    case_id INTEGER NOT NULL REFERENCES cases(id),
    number INTEGER NOT NULL,
    due_on TEXT NOT NULL,
    amount_cents INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('due', 'collected', 'paid', 'missed', 'returned')),
    -- The pain.008 message (GrpHdr/MsgId) that collected it.
    collected_in TEXT,
    end_to_end_id TEXT UNIQUE,
    -- The mandate and sequence type (FRST/RCUR) it was collected under.
    mandate_id INTEGER REFERENCES sepa_mandates(id),
    sequence_type TEXT,
    -- The payment booked for it; a return books its reversal.
    transaction_id INTEGER REFERENCES ledger_transactions(id),
    return_reason TEXT,
    returned_on TEXT,
    UNIQUE (plan_id, number)
);
CREATE INDEX instalments_due ON instalments(status, due_on);
CREATE INDEX instalments_case ON instalments(case_id, plan_id, number);

CREATE TABLE direct_debit_exports (
    id INTEGER PRIMARY KEY,
    message_id TEXT NOT NULL UNIQUE,
    collection_date TEXT NOT NULL,
    -- pain.008.001.02 or pain.008.001.08.
    version TEXT NOT NULL,
    count INTEGER NOT NULL,
    total_cents INTEGER NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX direct_debit_exports_date ON direct_debit_exports(collection_date, id);
