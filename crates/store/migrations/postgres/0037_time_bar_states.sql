-- Each case's and each claim's current time-bar state (issue 18): written by
-- Tx::refresh_time_bars in the same transaction as every event that can change it (money received,
-- a procedure step, a claim added by intake, a plan), so that the nightly run, the strategy, the
-- case page and the letters read it instead of re-deriving the history
-- (crates/store/src/time_bar_states.rs). Cases without a row (databases older than this migration)
-- are derived and stored by the next nightly run. Keep in step with ../sqlite/0037_time_bar_states.sql:
-- a test compares both schemas' tables and columns.

-- The case as the strategy and the nightly watch see it: the largest claim's nature, the earliest
-- due date and first incident of its claims.
CREATE TABLE case_time_bars (
    case_id BIGINT PRIMARY KEY REFERENCES cases(id),
    -- Last day to act; NULL while a court claim is pending or a suspension is open.
    limitation_date DATE,
    -- What set the limitation date: the event's kind ('start' for the period's start), its date,
    -- and the article (C. consom. L218-2, C. civ. 2240, CPCE L111-4, ...).
    limitation_event TEXT NOT NULL,
    limitation_event_on DATE NOT NULL,
    limitation_article TEXT NOT NULL,
    -- Consumer credit: last day to sue (C. consom. R312-35), and what set it; NULL otherwise.
    foreclosure_date DATE,
    foreclosure_article TEXT,
    -- The earliest formal notice sent (the statutory interest runs from it, C. civ. 1231-6).
    formal_notice_on DATE,
    -- The state holds for a day D when derived_through <= D (the latest event taken; NULL: no
    -- event) and D < recheck_on (the day an open over-indebtedness suspension reaches its two-year
    -- cap, C. consom. L722-3; NULL: never). Any other day is derived from the history.
    derived_through DATE,
    recheck_on DATE,
    updated_at TIMESTAMPTZ NOT NULL
);

-- Each claim on its own nature, due date and first incident, with the case's history (letters
-- and the case page state each claim's own dates).
CREATE TABLE claim_time_bars (
    claim_id BIGINT PRIMARY KEY REFERENCES claims(id),
    case_id BIGINT NOT NULL REFERENCES cases(id),
    limitation_date DATE,
    limitation_event TEXT NOT NULL,
    limitation_event_on DATE NOT NULL,
    limitation_article TEXT NOT NULL,
    foreclosure_date DATE,
    foreclosure_article TEXT,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX claim_time_bars_case ON claim_time_bars(case_id);
