#pragma once
// The JSON shapes `relaydeskd admin` prints (scripts and tests depend on them: keep fields stable).
#include "store/alertrepository.h"
#include "store/auditrepository.h"
#include "store/channelhealthrepository.h"
#include "service/instanceoverview.h"
#include "store/records.h"

#include <QJsonArray>
#include <QJsonObject>

namespace RelayDesk::Cli::AdminJson {

QJsonObject user(const Store::User &u);
QJsonObject key(const Store::ApiKey &k, const QString &userName);
QJsonObject channel(const Store::Channel &c); // the upstream key masked
QJsonObject channelHealth(const Store::ChannelHealth &h);
QJsonObject log(const Store::LogRecord &r, const QString &userName);
QJsonObject audit(const Store::AuditEntry &e);
// {"owner":"key","name":…,"time_zone":…,"budgets":[{"window","cap","cap_usd","spent","period_start","resets_at"}]}
QJsonObject budgets(const QString &ownerKind, const QString &name, const QString &timeZone,
                    const QList<Store::BudgetState> &states);
// [{"kind","cap","used","period_start","resets_at"}] (concurrency: used = open now, no period)
QJsonArray rates(const QList<Store::RateState> &states);
// [{"kind":"budget","window","percent","armed"} | {"kind":"balance","quota","quota_usd","armed"}]
QJsonArray alerts(const QList<Store::AlertRule> &rules);
// {"id","kind","owner","created_at","status":"delivered|pending|failed","attempts","last_error","payload"}
QJsonObject alertEvent(const Store::AlertEvent &e);
// {"id","address","version","hostname","pid","state":"running|stopped|lapsed","started_at" (ISO-8601 UTC),
//  "uptime_s","heartbeat_age_s","live_sessions","requests_total","requests_per_s"}
QJsonObject instance(const Service::InstanceOverview &o);

} // namespace RelayDesk::Cli::AdminJson
