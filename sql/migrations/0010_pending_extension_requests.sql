-- Extension requests whose outcome is pending or not verified (geodata/pending-requests.csv). An
-- obligation whose deadline has passed while such a request is open is not simply overdue: the
-- progress API, the map and the reports say so.

CREATE TABLE obligation_requests (
  id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  obligation_id      bigint NOT NULL REFERENCES obligations (id) ON DELETE CASCADE,
  -- NULL when the requested date was not seen in a source.
  requested_deadline date,
  -- When the request was (or is to be) submitted, as precise as the source: YYYY, YYYY-MM or YYYY-MM-DD.
  submitted          text CHECK (submitted ~ '^\d{4}(-\d{2}(-\d{2})?)?$'),
  -- The meeting expected to decide, e.g. 23MSP or 5RC.
  meeting            text NOT NULL CHECK (length(trim(meeting)) > 0),
  -- What is known of the decision, in words.
  decision           text NOT NULL,
  source             text NOT NULL,
  confidence         source_confidence NOT NULL,
  -- Set when a user recorded the outcome through the API (an extension granted at this meeting,
  -- or completion): the request is then closed, and the geodata loader leaves the row alone.
  resolved_by        bigint REFERENCES users (id),
  resolved_at        timestamptz,
  UNIQUE (obligation_id, meeting),
  CHECK ((resolved_by IS NULL) = (resolved_at IS NULL))
);
