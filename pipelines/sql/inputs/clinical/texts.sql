-- Clinical: each text's client-local day, stress, evidence sentence and client theme label.
SELECT e.client_id, CAST(timezone(coalesce(cl.timezone, 'UTC'), e.written_at) AS DATE) AS day,
       round(e.stress, 9) AS stress, e.evidence, t.label AS theme, e.written_at, e.source, e.source_id
FROM text_evidence e LEFT JOIN clients cl USING (client_id)
LEFT JOIN text_client_themes ct USING (source, source_id, client_id)
LEFT JOIN analysis_themes t ON t.theme_id = ct.theme_id
WHERE NOT e.superseded
