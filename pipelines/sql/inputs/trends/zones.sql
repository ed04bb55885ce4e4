-- Trends: the client's time zone, which decides their calendar days.
SELECT client_id, timezone FROM clients
