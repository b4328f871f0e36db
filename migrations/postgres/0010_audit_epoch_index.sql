-- The audit trail's per-patient and per-user indexes, grouped by epochs of
-- 65,536 events (seq >> 16). Keyed by (patient_id, seq) alone, every read's
-- event landed on a random leaf page of a large index: written at each commit
-- of the audit writer, then again at the checkpoint, and a cold page of memory
-- touched each time (on the benchmark's VM ~23% of a journal read's cost, see
-- docs/benchmarks.md). Within an epoch the inserts touch a few hundred recent
-- pages. A patient's (or a user's) events are found epoch by epoch, newest
-- first (store/audit_store.c, AUDIT_EPOCH_SHIFT: the two must agree).
DROP INDEX audit_event_patient;
DROP INDEX audit_event_user;
CREATE INDEX audit_event_patient ON audit_event ((seq >> 16), patient_id, seq);
CREATE INDEX audit_event_user ON audit_event ((seq >> 16), user_id, seq);
