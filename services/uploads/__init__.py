"""Agency report files uploaded in the browser: previewed row by row, then published as the HTTP ingest
publishes (the uploader's agency topic only, idempotent by event id), with each row's outcome kept."""
