-- Issue 20: the guarantors' information letters of the nightly run go once, even when several
-- processes share the night: the first unregularised incident's letter once per case
-- (C. civ. 2303), the yearly letter at most once a day on a case (C. civ. 2302; the run sends
-- it once a year, in its first quarter).
CREATE UNIQUE INDEX documents_guarantor_incident_once ON documents (case_id)
    WHERE kind = 'guarantor_incident_information';
CREATE UNIQUE INDEX documents_guarantor_yearly_once ON documents (case_id, validated_on)
    WHERE kind = 'guarantor_yearly_information';
