-- How far the audit writer has moved events from each audit spool (the file a
-- serving process writes each read's event to before answering, see
-- store/audit_spool.h) into audit_event: per spool generation, the offset
-- after the last moved record, updated in the same transaction as the events.
CREATE TABLE audit_spool_position (
    generation TEXT PRIMARY KEY,
    moved_to   BIGINT NOT NULL
);
