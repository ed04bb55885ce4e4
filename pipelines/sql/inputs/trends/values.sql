-- Trends: every dated measure value of the client (see marts/measure_values.sql).
SELECT client_id, "at", measure, value FROM measure_values WHERE value IS NOT NULL
