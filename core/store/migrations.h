#pragma once

#include "result.h"

namespace RelayDesk::Store {

class Database;

// Versioned schema migrations. Each migration runs in its own transaction and records its version in
// schema_version; running them again is a no-op. Never edit a released migration — append a new one.
int latestSchemaVersion();
int currentSchemaVersion(const Database &db);
Status runMigrations(const Database &db);

} // namespace RelayDesk::Store
