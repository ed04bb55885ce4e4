-- The contract's analysis_texts: each text unit with its themes and signals.
CREATE OR REPLACE VIEW analysis_texts AS
SELECT u.source, u.source_id, u.client_id, u.provider_id, u.conversation_id, u.written_at, u.text,
       ct.theme_id AS client_theme_id, kt.theme_id AS caseload_theme_id,
       s.valence, s.emotion, s.stress, s.insight, s.risk
FROM text_units u
LEFT JOIN text_client_themes ct USING (source, source_id, client_id)
LEFT JOIN text_caseload_themes kt USING (source, source_id, client_id)
LEFT JOIN text_signals s USING (text_key);
