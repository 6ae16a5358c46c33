-- /metrics counts the outbox jobs by state (groupbuy_outbox_jobs{state}) and `gbctl outbox
-- list --state dead` lists the dead ones at every call. Done jobs are nearly all of the table
-- and never asked for, so the index holds only the others: a count stays a small index scan
-- however many refunds the table has seen.
CREATE INDEX jobs_by_state ON jobs (status, id) WHERE status <> 'done';
