-- Client-authored text units, as the analysis contract defines them: client messages, check-in
-- notes and conversation summaries, renamed to one shape. text_key = md5(text) keys everything
-- computed from the text alone (embeddings, signals), so identical texts are processed once.
CREATE OR REPLACE VIEW text_units AS
SELECT 'message' AS source, m.message_id AS source_id, m.client_id, e.provider_id,
       m.conversation_id, m.sent_at AS written_at, m.text, md5(m.text) AS text_key
FROM messages m JOIN exports e USING (export_id)
WHERE m.role = 'client' AND trim(m.text) <> ''
UNION ALL
SELECT 'note', c.checkin_id, c.client_id, e.provider_id, NULL, c.checked_in_at, c.note, md5(c.note)
FROM checkins c JOIN exports e USING (export_id)
WHERE c.note IS NOT NULL AND trim(c.note) <> ''
UNION ALL
SELECT 'summary', v.conversation_id, v.client_id, e.provider_id, v.conversation_id, v.started_at,
       v.summary, md5(v.summary)
FROM conversations v JOIN exports e USING (export_id)
WHERE v.summary IS NOT NULL AND trim(v.summary) <> '';
