#pragma once
// Pure money arithmetic of a Realtime session (no I/O): usage conversion, exact per-response cost, rounding.
#include "billing/pricebook.h"
#include "billing/usage.h"
#include "monitor/sessionregistry.h"
#include "relay/realtime/realtimemeter.h"

#include <gmpxx.h>

namespace RelayDesk::Relay {

// The one place where the meter's usage type meets billing's (the meter will move to Billing::Usage).
Billing::Usage toBillingUsage(const Monitor::SessionUsage &usage);
Monitor::SessionUsage toSessionUsage(const Billing::Usage &usage);

// Exact (unrounded) quota of one response's usage, each modality at its own price (Billing::QuotaMath::exactCost;
// a fixed-price model costs its per-call price per response, and nothing for `perResponse == false` usage).
mpq_class realtimeExactQuota(const Billing::Usage &usage, const Billing::ModelPricing &pricing, bool perResponse = true);
// Input transcription at the transcription model's price (text in, audio in, text out); duration-billed
// usage counts 10 audio tokens per second (OpenAI's 100 ms input rate).
Billing::Usage transcriptionUsage(const TranscriptionUsage &usage);
// Half away from zero (Billing::QuotaMath), the single rounding rule of the session.
qint64 roundQuota(const mpq_class &exact);

} // namespace RelayDesk::Relay
