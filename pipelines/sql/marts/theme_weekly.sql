-- Theme prevalence per client and week (Monday, in the client's own time zone).
CREATE OR REPLACE VIEW theme_weekly AS
SELECT u.client_id, t.theme_id,
       CAST(date_trunc('week', timezone(coalesce(c.timezone, 'UTC'), u.written_at)) AS DATE) AS week,
       count(*) AS n_texts
FROM text_units u
JOIN text_client_themes t USING (source, source_id, client_id)
LEFT JOIN clients c USING (client_id)
GROUP BY ALL;
