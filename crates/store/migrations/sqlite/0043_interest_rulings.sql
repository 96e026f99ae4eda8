-- What a judgment decides about a case's interest (issue 18, part 2): the juge de l'exécution's
-- ruling on the five-point increase of the statutory rate (CMF L313-3 al. 2: exempted, or reduced)
-- and the capitalisation it orders (C. civ. 1343-2). One row per case, the latest ruling; each
-- recording is also an `interest_increase_ruling` event of the case's journal, written in the same
-- transaction (crates/store/src/interest_rulings.rs). Keep in step with
-- ../postgres/0043_interest_rulings.sql: a test compares both schemas' tables and columns.
CREATE TABLE interest_rulings (
    case_id INTEGER PRIMARY KEY REFERENCES cases(id),
    -- The decision: its date, its court, its reference (RG number).
    decided_on TEXT NOT NULL,
    court TEXT NOT NULL,
    reference TEXT NOT NULL,
    -- The increase points kept, a decimal as text: '0' exempted, '0' < p < '5' reduced, '5' kept.
    increase_points TEXT NOT NULL,
    -- The day the points kept apply from; NULL: from the increase's start (the whole increase).
    increase_from TEXT,
    -- C. civ. 1343-2: interest due for a full year from this day bears interest; NULL: none.
    capitalisation_from TEXT,
    -- The last anniversary of capitalisation_from whose year of interest was made capital.
    capitalised_to TEXT,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
