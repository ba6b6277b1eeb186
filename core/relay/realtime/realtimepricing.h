#pragma once
// Pure money arithmetic of a Realtime session (no I/O): consistent usage, exact per-response cost, rounding.
#include "billing/pricebook.h"
#include "billing/usage.h"
#include "monitor/sessionregistry.h"
#include "relay/realtime/realtimemeter.h"

#include <gmpxx.h>

namespace RelayDesk::Relay {

// A usage whose parts are consistent before it is priced: no negative count, and no cached or reasoning part
// larger than the whole it belongs to (the meter's and the upstream's figures are counts from the network).
Billing::Usage consistentUsage(const Billing::Usage &usage);

// Exact (unrounded) quota of one response's usage, each modality at its own price (Billing::QuotaMath::exactCost;
// a fixed-price model costs its per-call price per response, and nothing for `perResponse == false` usage).
mpq_class realtimeExactQuota(const Billing::Usage &usage, const Billing::ModelPricing &pricing, bool perResponse = true);
// Input transcription at the transcription model's price (text in, audio in, text out); duration-billed
// usage counts 10 audio tokens per second (OpenAI's 100 ms input rate).
Billing::Usage transcriptionUsage(const TranscriptionUsage &usage);
// Half away from zero (Billing::QuotaMath), the single rounding rule of the session.
qint64 roundQuota(const mpq_class &exact);

} // namespace RelayDesk::Relay
