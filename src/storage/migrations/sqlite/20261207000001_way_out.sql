-- The way out, complete: a withdrawal (ångerrätt) is a written request like a cancellation,
-- kept and erased the same way, with the day the contract was made; a cancellation may be
-- sent for someone else (an estate, a guardian, a power of attorney); and a confirmed request
-- carries the day the service ends and the last invoice date the agent entered.
ALTER TABLE cancellation_requests ADD COLUMN kind TEXT NOT NULL DEFAULT 'cancellation';
ALTER TABLE cancellation_requests ADD COLUMN contract_date TEXT;
ALTER TABLE cancellation_requests ADD COLUMN holder_name TEXT;
ALTER TABLE cancellation_requests ADD COLUMN relation TEXT;
ALTER TABLE cancellation_requests ADD COLUMN service_ends_on TEXT;
ALTER TABLE cancellation_requests ADD COLUMN last_invoice_on TEXT;
