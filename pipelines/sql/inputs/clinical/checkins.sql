-- Clinical: check-in scales at UTC and client-local time.
SELECT c.client_id, c.checked_in_at AS "at", timezone(coalesce(cl.timezone, 'UTC'), c.checked_in_at) AS local_at,
       c.mood, c.stress, c.energy, c.checkin_id
FROM checkins c LEFT JOIN clients cl USING (client_id)
