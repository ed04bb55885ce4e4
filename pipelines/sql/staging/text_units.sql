-- Client-authored text units, as the analysis contract defines them: client messages, check-in
-- notes and conversation summaries, renamed to one shape. text_key = md5(text) keys everything
-- computed from the text alone (embeddings, signals), so identical texts are processed once.
-- A record's provider is that of the export its current version came in, matched by client
-- as well as export_id (an export row never lends its provider to another client's records;
-- a LEFT JOIN, so a text is never hidden for want of its export row).
-- superseded: an earlier version of the text, since revised (superseded_texts). Its
-- source_id is the record's id, '#' and the text's md5: '#' never occurs in an export's ids,
-- so (source, source_id, client_id) still names one text unit.
CREATE OR REPLACE VIEW text_units AS
SELECT 'message' AS source, m.message_id AS source_id, m.client_id, e.provider_id,
       m.conversation_id, m.sent_at AS written_at, m.text, md5(m.text) AS text_key, false AS superseded
FROM messages m LEFT JOIN exports e ON e.export_id = m.export_id AND e.client_id = m.client_id
WHERE m.role = 'client' AND trim(m.text) <> ''
UNION ALL
SELECT 'note', c.checkin_id, c.client_id, e.provider_id, NULL, c.checked_in_at, c.note, md5(c.note), false
FROM checkins c LEFT JOIN exports e ON e.export_id = c.export_id AND e.client_id = c.client_id
WHERE c.note IS NOT NULL AND trim(c.note) <> ''
UNION ALL
SELECT 'summary', v.conversation_id, v.client_id, e.provider_id, v.conversation_id, v.started_at,
       v.summary, md5(v.summary), false
FROM conversations v LEFT JOIN exports e ON e.export_id = v.export_id AND e.client_id = v.client_id
WHERE v.summary IS NOT NULL AND trim(v.summary) <> ''
UNION ALL
SELECT s.source, s.record_id || '#' || s.text_key, s.client_id, s.provider_id, s.conversation_id,
       s.written_at, s.text, s.text_key, true
FROM superseded_texts s;
