-- Search by birth date and the first letters of a name (identitovigilance
-- practice): the name keys in the birth-date index let the database skip the
-- records born that day whose names do not match without reading them (they
-- were all read, then filtered; measured in docs/benchmarks.md).
DROP INDEX patient_birth;
CREATE INDEX patient_birth_keys ON patient (birth_date, norm_birth_name, norm_used_name,
                                            phon_birth_name, phon_used_name, merged_into);
