-- The committee pack's debits and credits per account are gross: each night's flows also sum
-- the debit postings and the credit postings apart (issue 8, docs/reports.md). Keep in step
-- with ../sqlite/0015_gross_flows.sql.

-- Sum of the debit postings (positive amounts) and of the credit postings (as a positive
-- amount) of the line: debit_cents - credit_cents = amount_cents. NULL for the lines counted
-- before these columns existed: their gross amounts are unknown, and the pack reads such a line
-- as its net amount on one side.
ALTER TABLE daily_flows ADD COLUMN debit_cents BIGINT;
ALTER TABLE daily_flows ADD COLUMN credit_cents BIGINT;
