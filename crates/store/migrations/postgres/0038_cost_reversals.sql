-- A cost entered by mistake is reversed, never deleted (issue 18, item 3): the charge to the
-- debtor by a reversing ledger transaction, the account payable cancelled if not yet paid.
-- Keep in step with ../sqlite/0038_cost_reversals.sql: a test compares both schemas.
-- costs.status gains 'reversed'; accounts_payable.status gains 'cancelled'.
ALTER TABLE costs ADD COLUMN reversed_by TEXT;
ALTER TABLE costs ADD COLUMN reversed_at TIMESTAMPTZ;
ALTER TABLE costs ADD COLUMN reversal_reason TEXT;
ALTER TABLE costs ADD COLUMN reversal_transaction_id BIGINT REFERENCES ledger_transactions(id);
