-- A name search lists the newest cases first. With the index on (search_key, id), a common
-- surname (6,478 « dupont » among 1,000,000 cases) read every matching case row to sort them;
-- with the opening date in the index, the page's ids are found and sorted in the index alone
-- (crates/store/src/cases.rs `list`, docs/performance.md).
DROP INDEX cases_search;
CREATE INDEX cases_search ON cases(search_key, opened_on, id);
