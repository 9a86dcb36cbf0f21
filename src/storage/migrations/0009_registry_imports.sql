-- Each import of the embedded registry, kept for the operator console's "registry import status":
-- when, which file (its name only), by which channel, and what came of it. A refused import (a bad
-- line: nothing imported) is kept too, with the stable error code and the line. No identity data.
CREATE TABLE registry_imports (
  import_id    uuid PRIMARY KEY,
  source       text NOT NULL CHECK (length(source) BETWEEN 1 AND 200),
  channel      text NOT NULL CHECK (channel IN ('admin_api', 'cli', 'first_run')),
  outcome      text NOT NULL CHECK (outcome IN ('imported', 'refused')),
  inserted     integer NOT NULL CHECK (inserted >= 0),
  updated      integer NOT NULL CHECK (updated >= 0),
  error_code   text,
  error_line   integer,
  finished_at  timestamptz NOT NULL,
  CHECK ((outcome = 'refused') = (error_code IS NOT NULL))
);
CREATE INDEX registry_imports_time ON registry_imports (finished_at DESC);
