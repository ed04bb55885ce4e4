-- Every dated value a client's daily series are built from, one row per value: the check-in
-- scales and the valence of what they wrote. Analyze (trends) and the brief read this one
-- query. Valence is rounded to 9 decimals so that fingerprints ignore float noise.
CREATE OR REPLACE VIEW measure_values AS
WITH c AS (SELECT client_id, checked_in_at, mood, stress, energy, sleep_hours FROM checkins)
SELECT client_id, checked_in_at AS "at", 'mood' AS measure, CAST(mood AS DOUBLE) AS value FROM c
UNION ALL SELECT client_id, checked_in_at, 'stress', CAST(stress AS DOUBLE) FROM c
UNION ALL SELECT client_id, checked_in_at, 'energy', CAST(energy AS DOUBLE) FROM c
UNION ALL SELECT client_id, checked_in_at, 'sleep_hours', sleep_hours FROM c
UNION ALL
SELECT u.client_id, u.written_at, 'valence', round(s.valence, 9)
FROM text_units u JOIN text_signals s USING (text_key)
WHERE NOT u.superseded;  -- an earlier version, since revised, is not a second value that day
