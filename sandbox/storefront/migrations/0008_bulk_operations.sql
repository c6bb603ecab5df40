-- Up Migration
-- Shopify's bulk operations (bulkOperationRunQuery): each runs in the background, counts the objects it
-- has written, and keeps its JSONL result for seven days behind a signed URL.
CREATE TABLE bulk_operations (
  id bigserial PRIMARY KEY,
  type text NOT NULL DEFAULT 'QUERY',
  status text NOT NULL DEFAULT 'CREATED',
  query text NOT NULL,
  error_code text,
  object_count bigint NOT NULL DEFAULT 0,
  root_object_count bigint NOT NULL DEFAULT 0,
  file_size bigint,
  result text,
  partial_result text,
  created_at timestamptz NOT NULL DEFAULT now(),
  completed_at timestamptz
);
CREATE INDEX bulk_operations_type_idx ON bulk_operations (type, id DESC);

-- Down Migration
DROP TABLE bulk_operations;
