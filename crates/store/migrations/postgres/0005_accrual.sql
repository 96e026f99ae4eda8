-- Interest accrual: the last day accrued for each case (issue 5). Keep in step with ../sqlite.
ALTER TABLE cases ADD COLUMN accrued_to DATE;
