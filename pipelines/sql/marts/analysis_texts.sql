-- The contract's analysis_texts: each current text unit with its themes and signals. Earlier
-- versions of a text, since revised, stay in text_units/text_evidence (marked superseded) for
-- the clinician's risk view, but are not rows here: the contract promises one row per text unit.
CREATE OR REPLACE VIEW analysis_texts AS
SELECT u.source, u.source_id, u.client_id, u.provider_id, u.conversation_id, u.written_at, u.text,
       ct.theme_id AS client_theme_id, kt.theme_id AS caseload_theme_id,
       s.valence, s.emotion, s.stress, s.insight, s.risk
FROM text_units u
LEFT JOIN text_client_themes ct USING (source, source_id, client_id)
LEFT JOIN text_caseload_themes kt USING (source, source_id, client_id)
LEFT JOIN text_signals s USING (text_key)
WHERE NOT u.superseded;
