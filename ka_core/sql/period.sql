-- The period: whole weeks (Monday first) that overlap [date_from, date_to].
-- A week w is in the period when first_week <= w <= last_day. Reads: nothing.
period AS (
    SELECT
        coalesce(CAST(date_trunc('week', CAST($date_from AS DATE)) AS DATE), DATE '0001-01-01') AS first_week,
        coalesce(CAST($date_to AS DATE), DATE '9999-12-31') AS last_day
)
