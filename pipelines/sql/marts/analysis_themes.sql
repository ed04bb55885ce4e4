-- The contract's analysis_themes: one row per theme, client or caseload scope.
CREATE OR REPLACE VIEW analysis_themes AS
SELECT theme_id, scope, client_id, label, keywords, n_texts, first_at, last_at
FROM themes;
