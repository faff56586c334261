-- Tracing (ADR 0059): the W3C traceparent of the span that recorded the job (the consumed
-- RequestAuthorised or BankTransactionSubmitted), so that its steps' spans and Xero calls,
-- run later by the worker, continue the item's trace. Null when tracing was off.
ALTER TABLE publications ADD COLUMN traceparent text;
