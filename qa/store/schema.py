"""The schema as ordered migrations: a database at version N has applied the first N."""

from qa.store.schema_categories import CATEGORY_MIGRATIONS

MIGRATIONS: tuple[str, ...] = (
    # 1: calls, transcripts, runs and failures
    """
    CREATE TABLE calls (
        call_id VARCHAR PRIMARY KEY,
        path VARCHAR NOT NULL,
        file_name VARCHAR NOT NULL,
        operator_id VARCHAR,
        direction VARCHAR,
        campaign VARCHAR,
        started_at TIMESTAMPTZ,
        language VARCHAR,
        language_probability DOUBLE,
        language_source VARCHAR,            -- metadata | config | detected
        duration_s DOUBLE NOT NULL,
        channels INTEGER NOT NULL,
        source_sample_rate INTEGER NOT NULL,
        has_speech BOOLEAN NOT NULL,
        word_count INTEGER NOT NULL,
        asr_model VARCHAR,
        diarization VARCHAR,                -- channels | <diarization backend>
        run_id VARCHAR,
        processed_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp
    );
    CREATE TABLE utterances (
        call_id VARCHAR NOT NULL,
        utterance_index INTEGER NOT NULL,
        speaker VARCHAR NOT NULL,
        role VARCHAR NOT NULL CHECK (role IN ('operator', 'customer', 'unknown')),
        channel INTEGER,
        start_s DOUBLE NOT NULL,
        end_s DOUBLE NOT NULL,
        text VARCHAR NOT NULL,
        PRIMARY KEY (call_id, utterance_index)
    );
    CREATE TABLE words (
        call_id VARCHAR NOT NULL,
        utterance_index INTEGER NOT NULL,
        word_index INTEGER NOT NULL,
        start_s DOUBLE NOT NULL,
        end_s DOUBLE NOT NULL,
        text VARCHAR NOT NULL,
        probability DOUBLE NOT NULL,
        PRIMARY KEY (call_id, utterance_index, word_index)
    );
    CREATE TABLE speaker_turns (
        call_id VARCHAR NOT NULL,
        speaker VARCHAR NOT NULL,
        start_s DOUBLE NOT NULL,
        end_s DOUBLE NOT NULL
    );
    CREATE TABLE runs (
        run_id VARCHAR PRIMARY KEY,
        started_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
        finished_at TIMESTAMPTZ,
        status VARCHAR NOT NULL DEFAULT 'running',   -- running | completed | aborted
        files_seen INTEGER,
        processed INTEGER,
        skipped INTEGER,
        failed INTEGER,
        models JSON
    );
    CREATE TABLE failures (
        run_id VARCHAR,
        path VARCHAR NOT NULL,
        call_id VARCHAR,
        reason VARCHAR NOT NULL,
        failed_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp
    );
    """,
    # 2: compliance flags and personal-data mentions (types and times only, never values)
    """
    ALTER TABLE calls ADD COLUMN redacted BOOLEAN DEFAULT false;
    ALTER TABLE calls ADD COLUMN detectors JSON;
    ALTER TABLE calls ADD COLUMN audio_path VARCHAR;     -- the copy served to reviewers (redacted)
    CREATE SEQUENCE flag_ids START 1;
    CREATE TABLE flags (
        flag_id BIGINT PRIMARY KEY DEFAULT nextval('flag_ids'),
        call_id VARCHAR NOT NULL,
        kind VARCHAR NOT NULL,
        severity VARCHAR NOT NULL CHECK (severity IN ('low', 'medium', 'high')),
        role VARCHAR NOT NULL CHECK (role IN ('operator', 'customer', 'unknown')),
        speaker VARCHAR,
        start_s DOUBLE NOT NULL,
        end_s DOUBLE NOT NULL,
        evidence VARCHAR NOT NULL,          -- redacted
        detector VARCHAR NOT NULL,
        detector_version VARCHAR NOT NULL,
        confidence DOUBLE NOT NULL,
        details JSON
    );
    CREATE TABLE pii_spans (
        call_id VARCHAR NOT NULL,
        utterance_index INTEGER NOT NULL,
        first_word INTEGER NOT NULL,
        last_word INTEGER NOT NULL,
        type VARCHAR NOT NULL,
        role VARCHAR NOT NULL,
        speaker VARCHAR NOT NULL,
        start_s DOUBLE NOT NULL,
        end_s DOUBLE NOT NULL,
        score DOUBLE,
        recognizer VARCHAR
    );
    """,
    # 3: call metrics, one row per (call, metric, role), and dead-air events
    """
    CREATE TABLE call_metrics (
        call_id VARCHAR NOT NULL,
        name VARCHAR NOT NULL,
        role VARCHAR NOT NULL CHECK (role IN ('call', 'operator', 'customer')),
        value DOUBLE NOT NULL,
        PRIMARY KEY (call_id, name, role)
    );
    CREATE TABLE dead_air (
        call_id VARCHAR NOT NULL,
        start_s DOUBLE NOT NULL,
        end_s DOUBLE NOT NULL
    );
    """,
    # 4: scores with evidence, reviews, scorability inputs; aggregate views
    """
    ALTER TABLE calls ADD COLUMN team VARCHAR;
    ALTER TABLE calls ADD COLUMN synthetic BOOLEAN DEFAULT false;   -- rows made by callqa synth
    ALTER TABLE calls ADD COLUMN mean_word_probability DOUBLE;
    UPDATE calls SET mean_word_probability = w.mean FROM (
        SELECT call_id, avg(probability) AS mean FROM words GROUP BY call_id) w
    WHERE calls.call_id = w.call_id;
    CREATE TABLE scores (
        call_id VARCHAR PRIMARY KEY,
        scorecard VARCHAR NOT NULL,          -- the scorecard's name (a campaign or default)
        scorecard_version VARCHAR NOT NULL,  -- content hash of the scorecard file
        scorable BOOLEAN NOT NULL,
        not_scorable_reason VARCHAR,
        total DOUBLE,                        -- 0-100; NULL when not scorable
        auto_failed BOOLEAN NOT NULL,
        scored_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp
    );
    CREATE TABLE score_items (
        call_id VARCHAR NOT NULL,
        position INTEGER NOT NULL,           -- order on the scorecard
        criterion VARCHAR NOT NULL,
        label VARCHAR NOT NULL,
        weight DOUBLE NOT NULL,
        points DOUBLE NOT NULL,
        lost DOUBLE NOT NULL,
        applicable BOOLEAN NOT NULL,
        auto_fail BOOLEAN NOT NULL,
        failed BOOLEAN NOT NULL,
        reason VARCHAR NOT NULL,
        flag_ids BIGINT[] NOT NULL,          -- the flags that cost the points
        restored_flag_ids BIGINT[] NOT NULL, -- flags dismissed by review: points given back
        metric VARCHAR,
        metric_role VARCHAR,
        metric_value DOUBLE,
        start_s DOUBLE,                      -- where the evidence is (NULL: the whole call)
        end_s DOUBLE,
        PRIMARY KEY (call_id, criterion)
    );
    CREATE SEQUENCE review_ids START 1;
    CREATE TABLE reviews (
        review_id BIGINT PRIMARY KEY DEFAULT nextval('review_ids'),
        flag_id BIGINT NOT NULL,
        call_id VARCHAR NOT NULL,
        reviewer VARCHAR NOT NULL,
        decision VARCHAR NOT NULL CHECK (decision IN ('confirm', 'dismiss', 'comment')),
        comment VARCHAR,
        reviewed_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp
    );
    -- the call metrics the aggregates read, one row per call (a copy of call_metrics rows)
    CREATE TABLE call_summary (
        call_id VARCHAR PRIMARY KEY,
        talk_listen_ratio DOUBLE,
        dead_air_s DOUBLE,
        dead_air_count DOUBLE,
        sentiment_start DOUBLE,            -- the customer's, -1..1
        sentiment_end DOUBLE
    );
    INSERT INTO call_summary
    SELECT call_id,
           max(value) FILTER (WHERE name = 'talk_listen_ratio' AND role = 'call'),
           max(value) FILTER (WHERE name = 'dead_air_s' AND role = 'call'),
           max(value) FILTER (WHERE name = 'dead_air_count' AND role = 'call'),
           max(value) FILTER (WHERE name = 'sentiment_start' AND role = 'customer'),
           max(value) FILTER (WHERE name = 'sentiment_end' AND role = 'customer')
    FROM call_metrics GROUP BY call_id;
    -- a flag stands unless its latest confirm/dismiss review dismissed it
    CREATE VIEW flag_status AS
    SELECT f.*, coalesce(r.decision = 'dismiss', false) AS dismissed, r.decision AS review_decision
    FROM flags f LEFT JOIN (
        SELECT flag_id, arg_max(decision, review_id) AS decision FROM reviews
        WHERE decision IN ('confirm', 'dismiss') GROUP BY flag_id
    ) r USING (flag_id);
    -- a call's grouping keys and day; days and weeks follow the connection's TimeZone
    CREATE VIEW call_days AS
    SELECT call_id, operator_id, team, campaign, language, synthetic,
           CAST(coalesce(started_at, processed_at) AS DATE) AS day
    FROM calls;
    -- one row per call
    CREATE VIEW call_facts AS
    SELECT c.call_id, c.operator_id, c.team, c.campaign, c.language, c.direction, c.synthetic,
           coalesce(c.started_at, c.processed_at) AS call_time,
           CAST(coalesce(c.started_at, c.processed_at) AS DATE) AS day,
           CAST(date_trunc('week', coalesce(c.started_at, c.processed_at)) AS DATE) AS week,
           strftime(coalesce(c.started_at, c.processed_at), '%G-W%V') AS iso_week,
           c.duration_s AS handle_time_s, s.scorable, s.not_scorable_reason, s.auto_failed,
           CASE WHEN s.scorable THEN s.total END AS score,
           m.talk_listen_ratio, m.dead_air_s, m.dead_air_count, m.sentiment_start, m.sentiment_end,
           coalesce(f.flags, 0) AS flags
    FROM calls c
    LEFT JOIN scores s USING (call_id)
    LEFT JOIN call_summary m USING (call_id)
    LEFT JOIN (SELECT call_id, count(*) AS flags FROM flag_status WHERE NOT dismissed GROUP BY call_id) f
        USING (call_id);
    CREATE VIEW operator_day AS
    SELECT operator_id, day, count(*) AS calls, count(score) AS scored,
           count(*) FILTER (WHERE NOT coalesce(scorable, false)) AS not_scorable,
           avg(score) AS mean_score, median(score) AS median_score, sum(flags) AS flags,
           avg(handle_time_s) AS mean_handle_time_s, avg(talk_listen_ratio) AS mean_talk_listen_ratio,
           sum(dead_air_s) AS dead_air_s
    FROM call_facts GROUP BY operator_id, day;
    CREATE VIEW operator_week AS
    SELECT operator_id, week, any_value(iso_week) AS iso_week, count(*) AS calls, count(score) AS scored,
           count(*) FILTER (WHERE NOT coalesce(scorable, false)) AS not_scorable,
           avg(score) AS mean_score, median(score) AS median_score, sum(flags) AS flags,
           avg(handle_time_s) AS mean_handle_time_s, avg(talk_listen_ratio) AS mean_talk_listen_ratio,
           sum(dead_air_s) AS dead_air_s
    FROM call_facts GROUP BY operator_id, week;
    CREATE VIEW team_week AS
    SELECT team, week, any_value(iso_week) AS iso_week, count(*) AS calls, count(score) AS scored,
           avg(score) AS mean_score, median(score) AS median_score, sum(flags) AS flags,
           avg(handle_time_s) AS mean_handle_time_s, sum(dead_air_s) AS dead_air_s
    FROM call_facts GROUP BY team, week;
    CREATE VIEW campaign_week AS
    SELECT campaign, week, any_value(iso_week) AS iso_week, count(*) AS calls, count(score) AS scored,
           avg(score) AS mean_score, median(score) AS median_score, sum(flags) AS flags,
           avg(handle_time_s) AS mean_handle_time_s, sum(dead_air_s) AS dead_air_s
    FROM call_facts GROUP BY campaign, week;
    CREATE VIEW flag_kinds_week AS
    SELECT c.operator_id, c.team, c.campaign, CAST(date_trunc('week', coalesce(c.started_at, c.processed_at)) AS DATE)
           AS week, f.kind, count(*) AS flags
    FROM flag_status f JOIN calls c USING (call_id) WHERE NOT f.dismissed GROUP BY ALL;
    """,
    # 5: who opened which call, for supervisors to audit
    """
    CREATE SEQUENCE access_ids START 1;
    CREATE TABLE access_log (
        entry_id BIGINT PRIMARY KEY DEFAULT nextval('access_ids'),
        logged_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
        user_name VARCHAR NOT NULL,
        role VARCHAR NOT NULL,
        call_id VARCHAR,
        action VARCHAR NOT NULL
    );
    """,
    # 6: which process ran a batch (to tell a killed run), files given up on, why a run stopped
    """
    ALTER TABLE runs ADD COLUMN host VARCHAR;
    ALTER TABLE runs ADD COLUMN pid INTEGER;
    ALTER TABLE runs ADD COLUMN given_up INTEGER DEFAULT 0;
    ALTER TABLE runs ADD COLUMN error VARCHAR;
    """,
    # 7: how each call's channels were read (qa/transcribe/layout.py), with the measures behind it
    """
    CREATE TABLE call_channels (
        call_id VARCHAR PRIMARY KEY,
        channels INTEGER NOT NULL,          -- in the file
        mode VARCHAR NOT NULL,              -- mono | channels | dual_mono | one_sided | mixed
        reason VARCHAR NOT NULL,
        forced BOOLEAN NOT NULL,            -- by [roles] stereo
        live_channel INTEGER,               -- the channel diarized (dual_mono, one_sided)
        correlation DOUBLE,                 -- zero-lag correlation of the two channels
        difference_db DOUBLE,               -- level of their difference against their sum
        envelope_correlation DOUBLE,        -- of their frame energies, at the best lag up to 256 ms
        level0_db DOUBLE, level1_db DOUBLE, -- dBFS
        speech0_s DOUBLE, speech1_s DOUBLE, -- VAD speech per channel; two parties: its own only
        bleed0_db DOUBLE, bleed1_db DOUBLE  -- the other channel's bleed into each
    );
    """,
    # 8: searches in the access log: the (redacted) query and the calls whose text was shown
    """
    ALTER TABLE access_log ADD COLUMN query VARCHAR;
    ALTER TABLE access_log ADD COLUMN call_ids VARCHAR[];
    """,
) + CATEGORY_MIGRATIONS
