-- The nightly run watches foreclosure, limitation, agency mandates and the strategy (issue 7).
-- Keep in step with ../sqlite/0013_nightly_watch.sql.

-- An agency mandate found past its end by the nightly run is flagged once (journal
-- `agency_mandate_expired`), the day it was found.
ALTER TABLE agenda_items ADD COLUMN expired_on DATE;

-- Each chunk's count of the new warnings, summed into the run's summary.
ALTER TABLE batch_chunks ADD COLUMN time_bar_warnings BIGINT NOT NULL DEFAULT 0;
ALTER TABLE batch_chunks ADD COLUMN mandate_warnings BIGINT NOT NULL DEFAULT 0;
ALTER TABLE batch_chunks ADD COLUMN mandates_expired BIGINT NOT NULL DEFAULT 0;
ALTER TABLE batch_chunks ADD COLUMN strategies_revised BIGINT NOT NULL DEFAULT 0;
