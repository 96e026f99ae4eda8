-- Closing a case and reopening it (issue 17, part 3; docs/closure.md). Each closing is a row: its
-- reason decides what becomes of money received afterwards (`recouvre_domain::closure`), so the
-- reason of the closing in force is read at every booking on a closed case. A reopening fills
-- the row's reopened_* columns; the next closing is a new row. `cases.status` and
-- `cases.closed_on` stay the projection the lists and reports read.
CREATE TABLE case_closures (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    reason TEXT NOT NULL,
    closed_on TEXT NOT NULL,
    previous_status TEXT NOT NULL,
    closed_by TEXT NOT NULL,
    closed_at TEXT NOT NULL,
    reopened_on TEXT,
    reopened_by TEXT,
    reopened_at TEXT
);
CREATE INDEX case_closures_case ON case_closures(case_id, id);

-- The sale of a claim (cession de créance, C. civ. 1321): who bought it, for how much, when. The
-- minimal act the closing as `sold` rests on; one sale per case.
CREATE TABLE claim_sales (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL UNIQUE REFERENCES cases(id),
    buyer TEXT NOT NULL,
    price_cents INTEGER NOT NULL,
    sold_on TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
