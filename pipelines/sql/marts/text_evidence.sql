-- Each text's signals with the sentence that carried them (risk first, else the most salient).
CREATE OR REPLACE VIEW text_evidence AS
SELECT u.source, u.source_id, u.client_id, u.conversation_id, u.written_at,
       s.risk, s.risk_reason, s.stress, s.insight, s.emotion, s.valence, s.evidence, u.superseded
FROM text_units u JOIN text_signals s USING (text_key);
