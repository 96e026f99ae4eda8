-- The recovery channel of a payment is the case's state when the money was booked, not when a
-- night counts it (issue 8, docs/reports.md). Keep in step with ../sqlite/0014_booking_channel.sql.

-- The case's status and its latest open procedure when the transaction was booked (NULL for
-- the suspense ledger, and for transactions booked before this column existed: their channel
-- is then read from the case when the night counts them).
ALTER TABLE ledger_transactions ADD COLUMN case_status TEXT;
ALTER TABLE ledger_transactions ADD COLUMN procedure_id BIGINT;
