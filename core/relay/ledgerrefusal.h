#pragma once
// The one mapping from a refused reservation to what the client is told, for every endpoint (chat, Realtime and
// those to come), so the same refusal never gets two different statuses.
#include "http/openaierror.h"
#include "store/reservationrepository.h"

namespace RelayDesk::Relay {

// A key that cannot be used, whether Auth finds it so or the ledger does at reservation time:
//   key disabled / expired, user disabled → 403 key_disabled / key_expired / user_disabled
//   key or user gone, key of another user → 401 invalid_api_key
// `keyHint` names the key (never the key itself).
OpenAiError keyRefusal(Store::LedgerFailure failure, const QString &keyHint);

// `refusal` failed to reserve `amount` quota:
//   user or key quota short → 403 insufficient_quota (naming the amount)
//   a budget window short   → 429 insufficient_quota / budget_exceeded naming the owner (user name or key hint),
//                             the window, its cap and when it resets, with Retry-After
//   a rate limit reached    → 429 rate_limit_exceeded, type "tokens" (tpm) or "requests" (rpm, rpd, concurrency),
//                             in OpenAI's wording (limit, used, requested), with Retry-After
//   the key or its user     → keyRefusal
//   store down              → 503 store_unavailable
//   anything else           → 500 (a bug, not the client's doing)
OpenAiError ledgerRefusal(const Store::LedgerOutcome &refusal, qint64 amount, const QString &keyHint);

} // namespace RelayDesk::Relay
