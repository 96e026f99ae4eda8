-- The nightly run (issue 7). Keep in step with ../sqlite/0009_batch.sql.
-- One run per date. Its cases are cut into chunks by id range; a process claims a chunk with a
-- lease, and does the chunk's whole work and marks it done in one transaction, so a process
-- killed at any point leaves its chunk to be done again, once, by whoever comes next.
CREATE TABLE batch_runs (
    as_of DATE PRIMARY KEY,
    chunk_cases BIGINT NOT NULL,
    chunks BIGINT NOT NULL,
    started_at TIMESTAMPTZ NOT NULL,
    finished_at TIMESTAMPTZ
);

CREATE TABLE batch_chunks (
    as_of DATE NOT NULL REFERENCES batch_runs(as_of),
    chunk_no BIGINT NOT NULL,
    first_case_id BIGINT NOT NULL,
    last_case_id BIGINT NOT NULL,
    -- host:pid:worker of the last process that claimed the chunk.
    claimed_by TEXT,
    -- Milliseconds since the epoch: an integer compares the same on both engines.
    lease_until_ms BIGINT,
    done_at TIMESTAMPTZ,
    done_by TEXT,
    cases_seen BIGINT NOT NULL,
    cases_accrued BIGINT NOT NULL,
    interest_cents BIGINT NOT NULL,
    entries_booked BIGINT NOT NULL,
    warnings_raised BIGINT NOT NULL,
    cases_held BIGINT NOT NULL,
    PRIMARY KEY (as_of, chunk_no)
);
CREATE INDEX batch_chunks_todo ON batch_chunks(as_of, done_at, chunk_no);

-- Each chunk's share of the day's figures, summed into daily_snapshots when the run finishes.
CREATE TABLE batch_snapshot_parts (
    as_of DATE NOT NULL,
    chunk_no BIGINT NOT NULL,
    main_nature TEXT NOT NULL,
    status TEXT NOT NULL,
    age_bucket TEXT NOT NULL,
    -- 0: not assigned (a primary key column cannot be NULL on PostgreSQL).
    officer_id BIGINT NOT NULL,
    cases BIGINT NOT NULL,
    outstanding_cents BIGINT NOT NULL,
    interest_cents BIGINT NOT NULL,
    PRIMARY KEY (as_of, chunk_no, main_nature, status, age_bucket, officer_id)
);

-- The day's figures for the reports (issue 8): open cases and what they owe, by claim nature,
-- stage, age since entry into litigation and officer, as the night's run left them.
CREATE TABLE daily_snapshots (
    as_of DATE NOT NULL,
    main_nature TEXT NOT NULL,
    status TEXT NOT NULL,
    age_bucket TEXT NOT NULL,
    officer_id BIGINT NOT NULL,
    cases BIGINT NOT NULL,
    outstanding_cents BIGINT NOT NULL,
    interest_cents BIGINT NOT NULL,
    PRIMARY KEY (as_of, main_nature, status, age_bucket, officer_id)
);

-- A legal deadline is announced once, by the first run that finds it within its warning days.
ALTER TABLE agenda_items ADD COLUMN warned_on DATE;
