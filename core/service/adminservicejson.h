#pragma once
// What the audit trail records of each entity: every field an operator edits, secrets masked (a channel key
// through the one mask; an API key by its hint only, never its hash).
#include "store/records.h"

#include <QJsonObject>

namespace RelayDesk::Service::AuditJson {

QJsonObject user(const Store::User &u);
QJsonObject key(const Store::ApiKey &k);
QJsonObject channel(const Store::Channel &c);
QString statusName(Store::RowStatus status);

} // namespace RelayDesk::Service::AuditJson
