-- Committee packs (issue 8). Keep in step with ../sqlite/0012_committee.sql: a test compares
-- both schemas' tables and columns.

-- The night a ledger transaction was first counted in the day's flows (`daily_flows`): set once,
-- by the run that closes that night, for every transaction not counted yet. A transaction is
-- therefore counted exactly once, even when it is booked with an earlier value date, and a
-- month's flows never change once its last night is closed (docs/reports.md).
ALTER TABLE ledger_transactions ADD COLUMN reported_on DATE;
CREATE INDEX ledger_transactions_reported ON ledger_transactions(reported_on);

-- The ledger's movements counted by each night's run: postings summed by transaction kind,
-- account, recovery channel, vintage (month the case entered litigation, YYYY-MM; '' for the
-- case-less suspense ledger) and collection agency or bailiff in charge (0: none).
CREATE TABLE daily_flows (
    as_of DATE NOT NULL,
    kind TEXT NOT NULL,
    account TEXT NOT NULL,
    channel TEXT NOT NULL,
    vintage TEXT NOT NULL,
    third_party_id BIGINT NOT NULL,
    postings BIGINT NOT NULL,
    -- Signed sum: positive = debit.
    amount_cents BIGINT NOT NULL,
    PRIMARY KEY (as_of, kind, account, channel, vintage, third_party_id)
);
CREATE INDEX daily_flows_account ON daily_flows(account, as_of);

-- Agencies and bailiffs compared: their procedures, by third party.
CREATE INDEX procedures_third_party ON procedures(third_party_id, started_on);
-- Cases closed in a month.
CREATE INDEX cases_closed ON cases(closed_on, id);
-- The team lead's cockpit: actions recorded per officer over the last weeks.
CREATE INDEX case_events_recorded ON case_events(recorded_at);
