-- Transfers out, follow-up (issue 21, items 3 and 4): overpayments refunded to the payer in the
-- next pain.001, and transfers the bank rejects (pain.002) or the beneficiary's bank returns
-- (a camt credit quoting our end-to-end id), reversed once. Keep in step with
-- ../postgres/0041_refunds_and_transfer_rejections.sql: a test compares both schemas.

CREATE TABLE overpayment_refunds (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    amount_cents INTEGER NOT NULL CHECK (amount_cents > 0),
    payee_name TEXT NOT NULL,
    payee_iban TEXT NOT NULL,
    payee_bic TEXT,
    reason TEXT NOT NULL,
    -- pending (above the four-eyes level, waiting for a second person), approved (to pay),
    -- refused, transferred (in a pain.001, booked), rejected (the bank sent it back, reversed)
    status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'refused', 'transferred', 'rejected')),
    requested_by TEXT NOT NULL,
    requested_at TEXT NOT NULL,
    decided_by TEXT,
    decided_at TEXT,
    decision_reason TEXT,
    -- The transfer file's message id that pays it, and the booking made then.
    transferred_in TEXT,
    transaction_id INTEGER REFERENCES ledger_transactions(id),
    -- The bank's reason code when it rejected or returned the transfer.
    rejection_reason TEXT
);
CREATE INDEX overpayment_refunds_case ON overpayment_refunds(case_id, id);
CREATE INDEX overpayment_refunds_status ON overpayment_refunds(status);

-- Each rejection or return of one of our transfers, applied once: `source_key` is the pain.002's
-- `<original message id>/<end-to-end id>` or the camt entry's key.
CREATE TABLE transfer_rejections (
    id INTEGER PRIMARY KEY,
    source_key TEXT NOT NULL UNIQUE,
    end_to_end_id TEXT NOT NULL,
    -- The pain.001 message that carried the transfer.
    message_id TEXT NOT NULL,
    reason_code TEXT NOT NULL,
    returned_on TEXT NOT NULL,
    -- The reversing ledger transaction (none for a cost payable: nothing was booked when paid).
    reversal_transaction_id INTEGER REFERENCES ledger_transactions(id),
    file_name TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX transfer_rejections_end_to_end ON transfer_rejections(end_to_end_id);
