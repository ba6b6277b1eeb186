#pragma once
// The one mapping from a refused reservation to what the client is told, for every endpoint (chat, Realtime and
// those to come), so the same refusal never gets two different statuses.
#include "http/openaierror.h"
#include "store/reservationrepository.h"

namespace RelayDesk::Relay {

// `refusal` failed to reserve `amount` quota:
//   user or key quota short         → 403 insufficient_quota (naming the amount)
//   user disabled                   → 403 user_disabled
//   key disabled / expired / gone   → 401 invalid_api_key (as Auth answers for such a key)
//   store down                      → 503 store_unavailable
//   anything else                   → 500 (a bug, not the client's doing)
OpenAiError ledgerRefusal(const Store::LedgerOutcome &refusal, qint64 amount);

} // namespace RelayDesk::Relay
