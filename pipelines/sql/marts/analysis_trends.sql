-- The contract's analysis_trends: one row per client x measure over its latest window.
CREATE OR REPLACE VIEW analysis_trends AS
SELECT client_id, measure, window_start, window_end, n_days, slope_per_week, ci_low, ci_high, verdict
FROM client_trends;
