#include "migrations.h"

#include "database.h"

#include <QSqlError>
#include <QStringList>

namespace RelayDesk::Store {
namespace {

struct Migration
{
    int version;
    const char *description;
    QStringList statements; // %ID% = the auto id column for the backend
    bool postgresOnly = false; // recorded but not run on SQLite
};

// Version 1: the design-doc schema plus the indexes log paging and filtering need at a million rows.
// All integers are BIGINT (SQLite stores them as 64-bit INTEGER anyway); booleans are 0/1 integers.
Migration migration1()
{
    return {1, "initial schema", {
        QStringLiteral(
            "CREATE TABLE users ("
            " id %ID%,"
            " name TEXT NOT NULL UNIQUE,"
            " grp TEXT NOT NULL DEFAULT 'default',"
            " quota BIGINT NOT NULL DEFAULT 0,"
            " used_quota BIGINT NOT NULL DEFAULT 0,"
            " request_count BIGINT NOT NULL DEFAULT 0,"
            " status INTEGER NOT NULL DEFAULT 1,"
            " created_at BIGINT NOT NULL)"),
        QStringLiteral(
            "CREATE TABLE api_keys ("
            " id %ID%,"
            " user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
            " name TEXT NOT NULL UNIQUE,"
            " key_hash TEXT NOT NULL UNIQUE,"
            " key_hint TEXT NOT NULL,"
            " status INTEGER NOT NULL DEFAULT 1,"
            " remain_quota BIGINT NOT NULL DEFAULT 0,"
            " unlimited INTEGER NOT NULL DEFAULT 0,"
            " used_quota BIGINT NOT NULL DEFAULT 0,"
            " expires_at BIGINT NOT NULL DEFAULT 0,"
            " model_limits TEXT NOT NULL DEFAULT '',"
            " grp TEXT NOT NULL DEFAULT '',"
            " created_at BIGINT NOT NULL)"),
        QStringLiteral("CREATE INDEX idx_api_keys_user ON api_keys(user_id)"),
        QStringLiteral(
            "CREATE TABLE channels ("
            " id %ID%,"
            " name TEXT NOT NULL UNIQUE,"
            " type TEXT NOT NULL DEFAULT 'openai',"
            " base_url TEXT NOT NULL,"
            " secret TEXT NOT NULL DEFAULT '',"
            " models TEXT NOT NULL DEFAULT '',"
            " groups TEXT NOT NULL DEFAULT 'default',"
            " model_mapping TEXT NOT NULL DEFAULT '{}',"
            " priority INTEGER NOT NULL DEFAULT 0,"
            " weight INTEGER NOT NULL DEFAULT 1,"
            " status INTEGER NOT NULL DEFAULT 1,"
            " used_quota BIGINT NOT NULL DEFAULT 0,"
            " created_at BIGINT NOT NULL)"),
        QStringLiteral("CREATE TABLE options (key TEXT PRIMARY KEY, value TEXT NOT NULL, updated_at BIGINT NOT NULL)"),
        QStringLiteral(
            "CREATE TABLE price_snapshots ("
            " id %ID%,"
            " created_at BIGINT NOT NULL,"
            " book_json TEXT NOT NULL)"),
        QStringLiteral(
            "CREATE TABLE reservations ("
            " id %ID%,"
            " request_id TEXT NOT NULL UNIQUE,"
            " user_id BIGINT NOT NULL REFERENCES users(id),"
            " key_id BIGINT,"
            " reserved BIGINT NOT NULL,"
            " charged BIGINT NOT NULL DEFAULT 0,"
            " state INTEGER NOT NULL DEFAULT 0,"
            " kind TEXT NOT NULL DEFAULT '',"
            " final_quota BIGINT NOT NULL DEFAULT 0,"
            " log_id BIGINT NOT NULL DEFAULT 0,"
            " started_at BIGINT NOT NULL,"
            " updated_at BIGINT NOT NULL)"),
        QStringLiteral("CREATE INDEX idx_reservations_state ON reservations(state)"),
        QStringLiteral(
            "CREATE TABLE logs ("
            " id %ID%,"
            " created_at BIGINT NOT NULL,"
            " type INTEGER NOT NULL,"
            " user_id BIGINT NOT NULL DEFAULT 0,"
            " key_id BIGINT NOT NULL DEFAULT 0,"
            " channel_id BIGINT NOT NULL DEFAULT 0,"
            " model TEXT NOT NULL DEFAULT '',"
            " upstream_model TEXT NOT NULL DEFAULT '',"
            " prompt_tokens BIGINT NOT NULL DEFAULT 0,"
            " completion_tokens BIGINT NOT NULL DEFAULT 0,"
            " quota BIGINT NOT NULL DEFAULT 0,"
            " use_ms BIGINT NOT NULL DEFAULT 0,"
            " is_stream INTEGER NOT NULL DEFAULT 0,"
            " request_id TEXT NOT NULL DEFAULT '',"
            " content TEXT NOT NULL DEFAULT '',"
            " other_json TEXT NOT NULL DEFAULT '{}',"
            " price_snapshot_id BIGINT NOT NULL DEFAULT 0)"),
        // Paging is keyset on (created_at, id); the per-column indexes serve the console's filters.
        QStringLiteral("CREATE INDEX idx_logs_created ON logs(created_at, id)"),
        QStringLiteral("CREATE INDEX idx_logs_user_created ON logs(user_id, created_at, id)"),
        QStringLiteral("CREATE INDEX idx_logs_key_created ON logs(key_id, created_at, id)"),
        QStringLiteral("CREATE INDEX idx_logs_model_created ON logs(model, created_at, id)"),
        QStringLiteral("CREATE INDEX idx_logs_channel_created ON logs(channel_id, created_at, id)"),
        QStringLiteral("CREATE INDEX idx_logs_type_created ON logs(type, created_at, id)"),
        QStringLiteral("CREATE INDEX idx_logs_request ON logs(request_id)"),
    }};
}

// Version 2: reservations remember the model, so a crash-recovered consume row still names it.
Migration migration2()
{
    return {2, "reservation model", {
        QStringLiteral("ALTER TABLE reservations ADD COLUMN model TEXT NOT NULL DEFAULT ''"),
    }};
}

// Version 3: cheaper ledger writes. Every settle inserts a log row and every reserve/settle touches
// the reservation's index entries, so each index costs a page write per request (~8 µs CPU measured).
//  - logs(request_id): no console view or CLI filters by request id; the LogFilter::requestId filter
//    still works (a scan, or bound it with fromMs/toMs to use idx_logs_created).
//  - reservations(state): only start-up recovery looks for open reservations, so a partial index on the
//    open ones serves that query while settled rows (almost all) leave it — it stays a page or two.
Migration migration3()
{
    return {3, "leaner ledger indexes", {
        QStringLiteral("DROP INDEX IF EXISTS idx_logs_request"),
        QStringLiteral("DROP INDEX IF EXISTS idx_reservations_state"),
        QStringLiteral("CREATE INDEX idx_reservations_open ON reservations(state) WHERE state = 0"),
    }};
}

// Version 4: instances. Every process that relays registers a row and refreshes its heartbeat; each
// reservation names the instance that owns it, so recovery settles only the reservations of instances
// whose heartbeat lapsed (or that are provably dead on this machine), never another live process's calls.
Migration migration4()
{
    return {4, "instances own reservations", {
        QStringLiteral(
            "CREATE TABLE instances ("
            " id TEXT PRIMARY KEY,"
            " hostname TEXT NOT NULL DEFAULT '',"
            " machine_id TEXT NOT NULL DEFAULT '',"
            " boot_id TEXT NOT NULL DEFAULT '',"
            " pid BIGINT NOT NULL DEFAULT 0,"
            " version TEXT NOT NULL DEFAULT '',"
            " address TEXT NOT NULL DEFAULT '',"
            " started_at BIGINT NOT NULL,"
            " heartbeat_at BIGINT NOT NULL,"
            " stopped_at BIGINT NOT NULL DEFAULT 0)"),
        QStringLiteral("ALTER TABLE reservations ADD COLUMN instance_id TEXT NOT NULL DEFAULT ''"),
    }};
}

// Version 5: channel health, written by the relaying process so the CLI and other consoles can show which
// channels are skipped (and until when). No foreign key: a removed channel's row is harmless and cheap.
Migration migration5()
{
    return {5, "channel health", {
        QStringLiteral(
            "CREATE TABLE channel_health ("
            " channel_id BIGINT PRIMARY KEY,"
            " state TEXT NOT NULL DEFAULT 'healthy',"
            " failures INTEGER NOT NULL DEFAULT 0,"
            " retry_at_ms BIGINT NOT NULL DEFAULT 0,"
            " last_error TEXT NOT NULL DEFAULT '',"
            " updated_at_ms BIGINT NOT NULL)"),
    }};
}

// Version 6: the change feed and the audit trail. Every admin write appends a `changes` row in its own transaction
// (the version is the row id, so it only grows); running relays watch the latest version and reload what changed.
// `audit` keeps who changed what, before → after, with secrets masked.
Migration migration6()
{
    return {6, "change feed and audit", {
        QStringLiteral(
            "CREATE TABLE changes ("
            " version %ID%,"
            " kind TEXT NOT NULL,"
            " entity_id BIGINT NOT NULL DEFAULT 0,"
            " changed_at BIGINT NOT NULL)"),
        QStringLiteral(
            "CREATE TABLE audit ("
            " id %ID%,"
            " at BIGINT NOT NULL,"
            " actor TEXT NOT NULL,"
            " action TEXT NOT NULL,"
            " entity_kind TEXT NOT NULL,"
            " entity_id BIGINT NOT NULL DEFAULT 0,"
            " entity_name TEXT NOT NULL DEFAULT '',"
            " before_json TEXT NOT NULL DEFAULT '',"
            " after_json TEXT NOT NULL DEFAULT '')"),
        QStringLiteral("CREATE INDEX idx_audit_at ON audit(at)"),
    }};
}

// Version 7: which channel owns each id the Responses API handed out (a stored response, a conversation): its
// state lives in that upstream account, so every later call naming the id must go there, for the same user.
Migration migration7()
{
    return {7, "response routes", {
        QStringLiteral(
            "CREATE TABLE response_routes ("
            " object_id TEXT PRIMARY KEY,"
            " channel_id BIGINT NOT NULL,"
            " user_id BIGINT NOT NULL,"
            " key_id BIGINT NOT NULL,"
            " created_at BIGINT NOT NULL,"
            " expires_at BIGINT NOT NULL)"),
        QStringLiteral("CREATE INDEX idx_response_routes_expires ON response_routes(expires_at)"),
    }};
}

// Version 8: background responses (Responses API `background: true`) whose reservation stays open until the upstream
// reports a terminal state. The row says what to poll; the reservation (kind responses_background) is the money.
// A restarted or surviving instance adopts the rows of a gone owner and resumes polling instead of recovering them.
Migration migration8()
{
    return {8, "background responses", {
        QStringLiteral(
            "CREATE TABLE background_responses ("
            " reservation_id BIGINT PRIMARY KEY,"
            " response_id TEXT NOT NULL,"
            " channel_id BIGINT NOT NULL,"
            " model TEXT NOT NULL,"
            " prompt_tokens BIGINT NOT NULL DEFAULT 0,"
            " request_path TEXT NOT NULL DEFAULT '/v1/responses',"
            " created_at BIGINT NOT NULL)"),
    }};
}

// Version 9: the endpoint of every log row as a column (request_path, the relay's `other.request_path` without a
// query string), so the Dashboard groups by endpoint and the Logs page filters by it with an index instead of
// parsing the JSON of every row. LogRepository::insert fills it; older rows are backfilled from their JSON here
// (%OTHER_REQUEST_PATH% is the backend's JSON text extraction). The relay never logged a query string, so the
// backfill copies the path as written, cut to the column's bound.
Migration migration9()
{
    return {9, "log request path", {
        QStringLiteral("ALTER TABLE logs ADD COLUMN request_path TEXT NOT NULL DEFAULT ''"),
        QStringLiteral("UPDATE logs SET request_path = COALESCE(substr(%OTHER_REQUEST_PATH%, 1, 256), '')"
                       " WHERE other_json LIKE '%\"request_path\"%'"),
        QStringLiteral("CREATE INDEX idx_logs_request_path_created ON logs(request_path, created_at, id)"),
    }};
}

// Version 10: operator limits. `limits` holds every limit of an owner (owner_kind user | key), one row each: `kind`
// says which limit (budget now; rpm, tpm, rpd, concurrency and allow_ip later), `span` its window (day, week, month,
// `Nh`; minute for a rate), `cap` its bound, `value` what a list entry needs (a CIDR). One table rather than one per
// kind, because admission reads all of an owner's limits with one statement (locked together on PostgreSQL, in id
// order) and every counted limit — a budget's quota, a rate's requests or tokens — is the same thing: a cap on a sum
// over a window. `limit_usage` is that sum, one row per limit and period (a calendar period's start, or an hour
// bucket of a rolling window, unix seconds), so a window rolls over by the period key alone, without a job.
// `reservation_takes` records what each reservation took from which window period, so its settlement or refund
// returns exactly there, even after the period ended.
Migration migration10()
{
    return {10, "limits and budget windows", {
        QStringLiteral(
            "CREATE TABLE limits ("
            " id %ID%,"
            " owner_kind TEXT NOT NULL,"
            " owner_id BIGINT NOT NULL,"
            " kind TEXT NOT NULL,"
            " span TEXT NOT NULL DEFAULT '',"
            " cap BIGINT NOT NULL DEFAULT 0,"
            " value TEXT NOT NULL DEFAULT '',"
            " created_at BIGINT NOT NULL,"
            " UNIQUE (owner_kind, owner_id, kind, span, value))"),
        QStringLiteral(
            "CREATE TABLE limit_usage ("
            " limit_id BIGINT NOT NULL REFERENCES limits(id) ON DELETE CASCADE,"
            " period BIGINT NOT NULL,"
            " used BIGINT NOT NULL DEFAULT 0,"
            " PRIMARY KEY (limit_id, period))"),
        QStringLiteral(
            "CREATE TABLE reservation_takes ("
            " reservation_id BIGINT NOT NULL,"
            " limit_id BIGINT NOT NULL,"
            " period BIGINT NOT NULL,"
            " amount BIGINT NOT NULL,"
            " PRIMARY KEY (reservation_id, limit_id, period))"),
    }};
}

// Version 11: Realtime's ephemeral client secrets (`ek_…`), minted by the relay for a parent key: stored as their
// SHA-256 only, like keys; the session configuration they were minted with is applied to each session they open.
Migration migration11()
{
    return {11, "realtime client secrets", {
        QStringLiteral(
            "CREATE TABLE client_secrets ("
            " secret_hash TEXT PRIMARY KEY,"
            " key_id BIGINT NOT NULL,"
            " user_id BIGINT NOT NULL,"
            " session_json TEXT NOT NULL DEFAULT '{}',"
            " created_at BIGINT NOT NULL,"
            " expires_at BIGINT NOT NULL)"),
        QStringLiteral("CREATE INDEX idx_client_secrets_expires ON client_secrets(expires_at)"),
    }};
}

// Version 12: spend alerts. The rules are `limits` rows (kind alert_budget: span = window, cap = percent; kind
// alert_balance: cap = quota). alert_state says in which period a rule last fired (0 = armed), so a crossing fires
// once whichever instance sees it; alert_events is the outbox the webhook delivers from (and the console lists).
Migration migration12()
{
    return {12, "spend alerts", {
        QStringLiteral(
            "CREATE TABLE alert_state ("
            " limit_id BIGINT PRIMARY KEY REFERENCES limits(id) ON DELETE CASCADE,"
            " fired_period BIGINT NOT NULL DEFAULT 0,"
            " fired_at BIGINT NOT NULL DEFAULT 0)"),
        QStringLiteral(
            "CREATE TABLE alert_events ("
            " id %ID%,"
            " limit_id BIGINT NOT NULL,"
            " owner_kind TEXT NOT NULL,"
            " owner_id BIGINT NOT NULL,"
            " kind TEXT NOT NULL,"
            " payload TEXT NOT NULL,"
            " created_at BIGINT NOT NULL,"
            " attempts INTEGER NOT NULL DEFAULT 0,"
            " next_attempt_at BIGINT NOT NULL DEFAULT 0,"
            " delivered_at BIGINT NOT NULL DEFAULT 0,"
            " failed_at BIGINT NOT NULL DEFAULT 0,"
            " last_error TEXT NOT NULL DEFAULT '')"),
        QStringLiteral("CREATE INDEX idx_alert_events_due ON alert_events(delivered_at, failed_at, next_attempt_at)"),
    }};
}

// Version 13: WebRTC calls the relay created or accepted: the channel that owns each (control requests go there)
// and the reservation metering it, so a call whose relay died is hung up by the next one (RealtimeCallReaper).
Migration migration13()
{
    return {13, "realtime webrtc calls", {
        QStringLiteral(
            "CREATE TABLE realtime_calls ("
            " call_id TEXT PRIMARY KEY,"
            " channel_id BIGINT NOT NULL,"
            " reservation_id BIGINT NOT NULL,"
            " user_id BIGINT NOT NULL,"
            " key_id BIGINT NOT NULL DEFAULT 0,"
            " model TEXT NOT NULL DEFAULT '',"
            " ended INTEGER NOT NULL DEFAULT 0,"
            " created_at BIGINT NOT NULL)"),
        QStringLiteral("CREATE INDEX idx_realtime_calls_open ON realtime_calls(ended, reservation_id)"),
    }};
}

// Version 14: the live view across instances. Each relaying process upserts its live sessions (value snapshots,
// coalesced, at most 10 writes a second) and deletes a row when its session ends; a console on the same database
// reads every instance's. Rows of an instance whose heartbeat lapsed are ignored and deleted by whoever reads
// them. An instance also states its lease (so a reader knows when it lapsed) and its request counter and rate
// (sessions opened, the relay's own count), written with its live sessions.
Migration migration14()
{
    return {14, "live sessions of every instance", {
        QStringLiteral(
            "CREATE TABLE live_sessions ("
            " instance_id TEXT NOT NULL,"
            " session_id BIGINT NOT NULL,"
            " kind TEXT NOT NULL DEFAULT '',"
            " model TEXT NOT NULL DEFAULT '',"
            " channel TEXT NOT NULL DEFAULT '',"
            " user_name TEXT NOT NULL DEFAULT '',"
            " key_hint TEXT NOT NULL DEFAULT '',"
            " state TEXT NOT NULL DEFAULT '',"
            " media_path TEXT NOT NULL DEFAULT '',"
            " started_at BIGINT NOT NULL,"
            " updated_at BIGINT NOT NULL,"
            " input_text BIGINT NOT NULL DEFAULT 0,"
            " input_audio BIGINT NOT NULL DEFAULT 0,"
            " input_image BIGINT NOT NULL DEFAULT 0,"
            " cached_text BIGINT NOT NULL DEFAULT 0,"
            " cached_audio BIGINT NOT NULL DEFAULT 0,"
            " cached_image BIGINT NOT NULL DEFAULT 0,"
            " output_text BIGINT NOT NULL DEFAULT 0,"
            " output_audio BIGINT NOT NULL DEFAULT 0,"
            " output_reasoning BIGINT NOT NULL DEFAULT 0,"
            " reserved_quota BIGINT NOT NULL DEFAULT 0,"
            " charged_quota BIGINT NOT NULL DEFAULT 0,"
            " PRIMARY KEY (instance_id, session_id))"),
        QStringLiteral("ALTER TABLE instances ADD COLUMN lease_ms BIGINT NOT NULL DEFAULT 30000"),
        QStringLiteral("ALTER TABLE instances ADD COLUMN requests_total BIGINT NOT NULL DEFAULT 0"),
        QStringLiteral("ALTER TABLE instances ADD COLUMN request_rate_milli BIGINT NOT NULL DEFAULT 0"),
    }};
}

// Version 15 (PostgreSQL only): the common case of a hold and of a settlement as one server-side function each,
// so each costs the relay one round trip instead of six to ten (on PostgreSQL the relay's ledger throughput is
// bound by round trips; SQLite runs in-process and does not need them). Each runs the same conditional statements
// as Store::ReservationRepository's general path, in a block of its own: it commits all of its work or none, and
// never raises (an error comes back as outcome 9 and its `problem`), so it needs no savepoint inside a batch of the
// store lane. Anything out of the common case it leaves untouched for the general path (outcome 1): rate or budget
// limits on the user or key, a refusal (which the general path names), a reservation not open, windows to return,
// a shortfall the balance cannot cover.
//  - relaydesk_hold: the conditional debits of the user and (a limited) key — the rows enabled, the key owned and
//    unexpired — then the reservation row (outcome 0, reservation_id).
//  - relaydesk_settle: closes an open reservation at p_final, refunds the unused hold (or debits the rest) on the
//    user and key, counts the channel's usage and writes the consume log row (LogRepository::insert's columns;
//    p_other is the row's other_json without "reserved", which it appends) linked from the reservation (outcome 0,
//    the reservation's columns and log_id).
Migration migration15()
{
    return {15, "ledger functions", {
        QStringLiteral(
            "CREATE OR REPLACE FUNCTION relaydesk_hold(p_request_id TEXT, p_user BIGINT, p_key BIGINT, p_amount BIGINT,"
            " p_kind TEXT, p_now_ms BIGINT, p_model TEXT, p_instance TEXT, p_now_secs BIGINT,"
            " OUT outcome INTEGER, OUT problem TEXT, OUT reservation_id BIGINT) AS $$\n"
            "BEGIN\n"
            "  outcome := 1;\n"
            "  IF EXISTS (SELECT 1 FROM limits l WHERE l.kind <> 'allow_ip' AND ((l.owner_kind = 'user' AND"
            " l.owner_id = p_user) OR (l.owner_kind = 'key' AND l.owner_id = p_key))) THEN RETURN; END IF;\n"
            "  UPDATE users SET quota = quota - p_amount WHERE id = p_user AND status = 1 AND quota >= p_amount;\n"
            "  IF NOT FOUND THEN RETURN; END IF;\n"
            "  IF p_key > 0 THEN\n"
            "    UPDATE api_keys SET remain_quota = remain_quota - CASE WHEN unlimited = 0 THEN p_amount ELSE 0 END\n"
            "     WHERE id = p_key AND user_id = p_user AND status = 1 AND (expires_at <= 0 OR expires_at > p_now_secs)\n"
            "       AND (unlimited <> 0 OR remain_quota >= p_amount);\n"
            "    IF NOT FOUND THEN RAISE SQLSTATE 'RD001'; END IF;\n"
            "  END IF;\n"
            "  INSERT INTO reservations(request_id, user_id, key_id, reserved, charged, state, kind, started_at,"
            " updated_at, model, instance_id)\n"
            "  VALUES (p_request_id, p_user, NULLIF(p_key, 0), p_amount, 0, 0, p_kind, p_now_ms, p_now_ms, p_model,"
            " p_instance)\n"
            "  ON CONFLICT (request_id) DO NOTHING RETURNING id INTO reservation_id;\n"
            "  IF reservation_id IS NULL THEN RAISE SQLSTATE 'RD001'; END IF;\n"
            "  outcome := 0;\n"
            "EXCEPTION\n"
            "  WHEN SQLSTATE 'RD001' THEN outcome := 1; reservation_id := NULL;\n"
            "  WHEN OTHERS THEN outcome := 9; reservation_id := NULL; problem := SQLSTATE || ' ' || SQLERRM;\n"
            "END $$ LANGUAGE plpgsql"),
        QStringLiteral(
            "CREATE OR REPLACE FUNCTION relaydesk_settle(p_id BIGINT, p_final BIGINT, p_now_ms BIGINT,"
            " p_created_at BIGINT, p_channel BIGINT, p_model TEXT, p_upstream_model TEXT, p_prompt BIGINT,"
            " p_completion BIGINT, p_use_ms BIGINT, p_is_stream INTEGER, p_content TEXT, p_other TEXT,"
            " p_price_snapshot BIGINT, p_request_path TEXT)"
            " RETURNS TABLE(outcome INTEGER, problem TEXT, o_id BIGINT, o_request_id TEXT, o_user_id BIGINT,"
            " o_key_id BIGINT, o_reserved BIGINT, o_charged BIGINT, o_state INTEGER, o_kind TEXT, o_final_quota BIGINT,"
            " o_log_id BIGINT, o_started_at BIGINT, o_updated_at BIGINT, o_model TEXT, o_instance_id TEXT) AS $$\n"
            "DECLARE r reservations%ROWTYPE; mv BIGINT; v_log BIGINT;\n"
            "BEGIN\n"
            "  outcome := 1;\n"
            "  BEGIN\n"
            "    v_log := nextval(pg_get_serial_sequence('logs', 'id'));\n"
            "    UPDATE reservations SET state = 1, final_quota = p_final, updated_at = p_now_ms, log_id = v_log\n"
            "     WHERE id = p_id AND state = 0 RETURNING * INTO r;\n"
            "    IF NOT FOUND OR EXISTS (SELECT 1 FROM reservation_takes t WHERE t.reservation_id = p_id) THEN\n"
            "      RAISE SQLSTATE 'RD001';\n"
            "    END IF;\n"
            "    mv := r.reserved - p_final;\n"
            "    UPDATE users SET quota = quota + mv, used_quota = used_quota + p_final, request_count = request_count + 1\n"
            "     WHERE id = r.user_id AND (mv >= 0 OR quota >= -mv);\n"
            "    IF NOT FOUND THEN RAISE SQLSTATE 'RD001'; END IF;\n"
            "    IF r.key_id > 0 THEN\n"
            "      UPDATE api_keys SET remain_quota = remain_quota + CASE WHEN unlimited = 0 THEN mv ELSE 0 END,"
            " used_quota = used_quota + p_final WHERE id = r.key_id AND (mv >= 0 OR unlimited <> 0 OR remain_quota >= -mv);\n"
            "      IF NOT FOUND THEN RAISE SQLSTATE 'RD001'; END IF;\n"
            "    END IF;\n"
            "    IF p_channel > 0 THEN\n"
            "      UPDATE channels SET used_quota = used_quota + p_final WHERE id = p_channel;\n"
            "    END IF;\n"
            "    INSERT INTO logs(id, created_at, type, user_id, key_id, channel_id, model, upstream_model,"
            " prompt_tokens, completion_tokens, quota, use_ms, is_stream, request_id, content, other_json,"
            " price_snapshot_id, request_path)\n"
            "    VALUES (v_log, p_created_at, 2, r.user_id, COALESCE(r.key_id, 0), p_channel,"
            " COALESCE(NULLIF(p_model, ''), r.model), p_upstream_model, p_prompt, p_completion, p_final, p_use_ms,"
            " p_is_stream, r.request_id, p_content, left(p_other, -1) || ',\"reserved\":' || r.reserved || '}',"
            " p_price_snapshot, p_request_path);\n"
            "    outcome := 0;\n"
            "  EXCEPTION\n"
            "    WHEN SQLSTATE 'RD001' THEN outcome := 1;\n"
            "    WHEN OTHERS THEN outcome := 9; problem := SQLSTATE || ' ' || SQLERRM;\n"
            "  END;\n"
            "  IF outcome = 0 THEN\n"
            "    o_id := r.id; o_request_id := r.request_id; o_user_id := r.user_id; o_key_id := r.key_id;\n"
            "    o_reserved := r.reserved; o_charged := r.charged; o_state := r.state; o_kind := r.kind;\n"
            "    o_final_quota := r.final_quota; o_log_id := v_log; o_started_at := r.started_at;\n"
            "    o_updated_at := r.updated_at; o_model := r.model; o_instance_id := r.instance_id;\n"
            "  END IF;\n"
            "  RETURN NEXT;\n"
            "END $$ LANGUAGE plpgsql"),
    }, true};
}

const std::vector<Migration> &migrations()
{
    static const std::vector<Migration> all = {migration1(), migration2(), migration3(), migration4(), migration5(),
                                               migration6(), migration7(), migration8(), migration9(),
                                               migration10(), migration11(), migration12(), migration13(),
                                               migration14(), migration15()};
    return all;
}

QString dialect(const Database &db, QString sql)
{
    // SQLite's json_extract is NULL for a row whose JSON is not valid (json_valid guards it; it would raise an
    // error); PostgreSQL's cast cannot fail here: every other_json was written by LogRepository as a JSON object.
    sql.replace(QStringLiteral("%OTHER_REQUEST_PATH%"),
                db.isPostgres() ? QStringLiteral("(other_json::jsonb ->> 'request_path')")
                                : QStringLiteral("CASE WHEN json_valid(other_json) THEN "
                                                 "CAST(json_extract(other_json, '$.request_path') AS TEXT) END"));
    return sql.replace(QStringLiteral("%ID%"), db.isPostgres() ? QStringLiteral("BIGSERIAL PRIMARY KEY")
                                                                : QStringLiteral("INTEGER PRIMARY KEY"));
}

bool run(const Database &db, const QString &sql, QString *error)
{
    QSqlQuery q = db.query();
    if (q.exec(sql))
        return true;
    *error = QStringLiteral("%1 [%2]").arg(q.lastError().text(), sql.left(80));
    return false;
}

} // namespace

int latestSchemaVersion()
{
    return migrations().back().version;
}

int currentSchemaVersion(const Database &db)
{
    QSqlQuery q = db.query();
    if (!q.exec(QStringLiteral("SELECT MAX(version) FROM schema_version")) || !q.next())
        return 0;
    return q.value(0).toInt();
}

Status runMigrations(const Database &db)
{
    QString error;
    if (!run(db, QStringLiteral("CREATE TABLE IF NOT EXISTS schema_version ("
                                "version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at BIGINT NOT NULL)"),
             &error))
        return Status::failure(QStringLiteral("cannot create schema_version: ") + error);

    for (const Migration &m : migrations()) {
        Transaction tx(db);
        if (!tx.isActive())
            return Status::failure(tx.error());
        // Two processes may start at once: PostgreSQL serialises them on an advisory lock,
        // SQLite on BEGIN IMMEDIATE. Re-read the version inside the transaction.
        if (db.isPostgres() && !run(db, QStringLiteral("SELECT pg_advisory_xact_lock(7302113)"), &error))
            return Status::failure(error);
        if (currentSchemaVersion(db) >= m.version)
            continue;
        for (const QString &sql : m.postgresOnly && !db.isPostgres() ? QStringList() : m.statements) {
            if (!run(db, dialect(db, sql), &error))
                return Status::failure(QStringLiteral("migration %1 (%2) failed: %3")
                                           .arg(m.version).arg(QLatin1String(m.description), error));
        }
        QSqlQuery q = db.query();
        q.prepare(QStringLiteral("INSERT INTO schema_version(version, description, applied_at) VALUES (?, ?, ?)"));
        q.addBindValue(m.version);
        q.addBindValue(QString::fromLatin1(m.description));
        q.addBindValue(nowSecs());
        if (!execQuery(q, &error, "record schema version"))
            return Status::failure(error);
        if (!tx.commit())
            return Status::failure(tx.error());
    }
    return {};
}

} // namespace RelayDesk::Store
