-- Interest accrual: the last day accrued for each case (issue 5). Keep in step with ../sqlite.
ALTER TABLE cases ADD COLUMN accrued_to DATE;
-- Service of the judgment or enforceable order ordering payment: the statutory rate is increased
-- by 5 points two months later (CMF L313-3). Set by the payment-order procedure.
ALTER TABLE cases ADD COLUMN judgment_served_on DATE;
