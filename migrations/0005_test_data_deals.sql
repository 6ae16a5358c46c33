-- Test data: deals made by load tests (gbload marks every scenario deal). The public deal
-- list hides them; they stay readable by id (the load reads them so) and admins list them
-- (`GET /v1/deals?testData=true`). Set at creation only.
ALTER TABLE deals ADD COLUMN test_data boolean NOT NULL DEFAULT false;
