-- Clinical: body sensations reported at check-ins, by client-local day.
SELECT b.client_id, CAST(timezone(coalesce(cl.timezone, 'UTC'), c.checked_in_at) AS DATE) AS day,
       b.location, b.sensation, b.intensity, c.checked_in_at, b.checkin_id, b.position
FROM checkin_body_sensations b JOIN checkins c USING (client_id, checkin_id)
LEFT JOIN clients cl USING (client_id)
