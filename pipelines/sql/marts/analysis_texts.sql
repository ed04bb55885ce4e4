-- The contract's analysis_texts: each text unit with its themes and signals. superseded (after
-- the contract's columns): an earlier version of the text, since revised (see text_units).
CREATE OR REPLACE VIEW analysis_texts AS
SELECT u.source, u.source_id, u.client_id, u.provider_id, u.conversation_id, u.written_at, u.text,
       ct.theme_id AS client_theme_id, kt.theme_id AS caseload_theme_id,
       s.valence, s.emotion, s.stress, s.insight, s.risk, u.superseded
FROM text_units u
LEFT JOIN text_client_themes ct USING (source, source_id, client_id)
LEFT JOIN text_caseload_themes kt USING (source, source_id, client_id)
LEFT JOIN text_signals s USING (text_key);
