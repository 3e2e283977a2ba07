"""Migrations 9 on: call categories and outcomes, their KPI views, dial attempts and reviewers'
corrections (qa/store/schema.py appends them to its own)."""

CATEGORY_MIGRATIONS: tuple[str, ...] = (
    # 9: call categories with their evidence, and each call's outcome (qa/compliance/categorize.py)
    """
    CREATE TABLE call_categories (
        call_id VARCHAR NOT NULL,
        category VARCHAR NOT NULL,
        grp VARCHAR NOT NULL,               -- reason | resolution | outbound
        role VARCHAR,                       -- whose words showed it
        start_s DOUBLE, end_s DOUBLE,       -- the utterance (or flag); NULL: the whole call
        evidence VARCHAR NOT NULL,          -- the redacted utterance
        confidence DOUBLE NOT NULL,
        book_version VARCHAR NOT NULL
    );
    CREATE INDEX call_categories_call ON call_categories (call_id);
    CREATE TABLE call_outcomes (
        call_id VARCHAR PRIMARY KEY,
        direction VARCHAR NOT NULL,         -- inbound | outbound
        outcome VARCHAR NOT NULL,           -- resolved | callback | escalated | unresolved | agreed | refused | no_decision
        refusal_reason VARCHAR,
        do_not_call BOOLEAN NOT NULL,
        book_version VARCHAR NOT NULL
    );
    """,
    # 10: one row per call with its outcome and reasons, and the outcome KPIs by operator and ISO week
    """
    CREATE VIEW call_outcome_facts AS
    SELECT f.call_id, f.operator_id, f.team, f.campaign, f.language, f.synthetic, f.call_time, f.day, f.week,
           f.iso_week, f.handle_time_s, o.call_id IS NOT NULL AS categorized,
           coalesce(o.direction, CASE WHEN f.direction = 'outbound' THEN 'outbound' ELSE 'inbound' END) AS direction,
           o.outcome, o.refusal_reason, coalesce(o.do_not_call, false) AS do_not_call,
           coalesce(k.complaint, false) AS complaint, k.reasons
    FROM call_facts f
    LEFT JOIN call_outcomes o USING (call_id)
    LEFT JOIN (SELECT call_id, bool_or(category = 'complaint') AS complaint,
                      list(DISTINCT category ORDER BY category) FILTER (WHERE grp = 'reason') AS reasons
               FROM call_categories GROUP BY call_id) k USING (call_id);
    CREATE VIEW operator_week_outcomes AS
    SELECT operator_id, week, any_value(iso_week) AS iso_week, count(*) AS calls,
           count(*) FILTER (WHERE categorized) AS judged, count(*) FILTER (WHERE NOT categorized) AS not_judged,
           count(*) FILTER (WHERE complaint) AS complaints,
           count(*) FILTER (WHERE categorized AND direction = 'inbound') AS inbound,
           count(*) FILTER (WHERE outcome = 'resolved') AS resolved,
           count(*) FILTER (WHERE outcome = 'callback') AS callbacks,
           count(*) FILTER (WHERE outcome = 'escalated') AS escalated,
           count(*) FILTER (WHERE categorized AND direction = 'outbound') AS outbound,
           count(*) FILTER (WHERE outcome = 'agreed') AS agreed,
           count(*) FILTER (WHERE outcome = 'refused') AS refused,
           count(*) FILTER (WHERE do_not_call) AS do_not_call,
           avg(handle_time_s) AS mean_handle_time_s
    FROM call_outcome_facts GROUP BY operator_id, week;
    """,
    # 11: dial attempts of outbound campaigns (attempts.csv, qa/attempts.py), for the connection rate
    """
    CREATE TABLE dial_attempts (
        attempt_key VARCHAR PRIMARY KEY,    -- qa.attempts.Attempt.key: loading a file twice stores it once
        operator_id VARCHAR NOT NULL,
        campaign VARCHAR,
        attempted_at TIMESTAMPTZ NOT NULL,
        disposition VARCHAR NOT NULL,
        connected BOOLEAN NOT NULL,
        source VARCHAR NOT NULL             -- the attempts.csv it came from
    );
    """,
    # 12: reviewers' corrections of call categories, kept beside the machine's rows (never replacing them)
    """
    CREATE SEQUENCE category_review_ids START 1;
    CREATE TABLE category_reviews (
        review_id BIGINT PRIMARY KEY DEFAULT nextval('category_review_ids'),
        call_id VARCHAR NOT NULL,
        category VARCHAR NOT NULL,
        decision VARCHAR NOT NULL CHECK (decision IN ('confirm', 'dismiss', 'add')),
        reviewer VARCHAR NOT NULL, comment VARCHAR, reviewed_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp
    );
    CREATE INDEX category_reviews_call ON category_reviews (call_id);
    """,
)
