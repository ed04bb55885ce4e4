-- Clinical: practices with the stress ratings before and after, by client-local day.
SELECT p.client_id, p.practiced_at, CAST(timezone(coalesce(cl.timezone, 'UTC'), p.practiced_at) AS DATE) AS day,
       p.kind, p.stress_before, p.stress_after, p.helpful, p.practice_id
FROM practices p LEFT JOIN clients cl USING (client_id)
