-- `audit_event_at` (at) was never used: a listing filters `at` while it walks
-- seq backwards (store/audit_store.c); one B-tree less for each event to write.
DROP INDEX audit_event_at;
