-- Costs as money (issue 18, item 3): each cost the bank is invoiced for, with its legal nature,
-- what the debtor is charged with, and the account payable to the third party who invoiced it,
-- paid by the transfer file (pain.001). Keep in step with ../postgres/0030_costs.sql: a test
-- compares both schemas' tables and columns.

-- The account a third party is paid on (the invoice's bank details).
ALTER TABLE third_parties ADD COLUMN iban TEXT;
ALTER TABLE third_parties ADD COLUMN bic TEXT;

CREATE TABLE costs (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    procedure_id INTEGER REFERENCES procedures(id),
    -- enforcement, amicable, court_costs, article_700, proportional_fee, proportional_fee_creditor
    nature TEXT NOT NULL,
    third_party_id INTEGER NOT NULL REFERENCES third_parties(id),
    invoice_reference TEXT NOT NULL,
    invoice_date TEXT NOT NULL,
    -- What the third party invoiced (owed to it).
    amount_cents INTEGER NOT NULL,
    -- What the debtor is charged with (0 for the bank's own costs).
    charged_cents INTEGER NOT NULL,
    -- CPC 700: the judgment that awards the sum.
    awarded_on TEXT,
    -- recorded (booked), pending (above delegation, waiting for approval), refused
    status TEXT NOT NULL,
    approval_request_id INTEGER REFERENCES approval_requests(id),
    transaction_id INTEGER REFERENCES ledger_transactions(id),
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    UNIQUE (third_party_id, invoice_reference)
);
CREATE INDEX costs_case ON costs(case_id);

CREATE TABLE accounts_payable (
    id INTEGER PRIMARY KEY,
    cost_id INTEGER NOT NULL UNIQUE REFERENCES costs(id),
    third_party_id INTEGER NOT NULL REFERENCES third_parties(id),
    amount_cents INTEGER NOT NULL,
    -- The payee's account when the cost was recorded.
    payee_iban TEXT,
    payee_bic TEXT,
    -- open (waiting for the cost's approval), approved (to pay), paid (in a transfer file), refused
    status TEXT NOT NULL,
    approved_by TEXT,
    approved_at TEXT,
    -- The transfer file's message id that pays it.
    transferred_in TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX accounts_payable_status ON accounts_payable(status);
