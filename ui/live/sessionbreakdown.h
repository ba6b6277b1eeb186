#pragma once
// A session's tokens split into what is priced differently — input: uncached text, audio and image, cached text,
// audio and image, text written to the prompt cache for 5 minutes and for 1 hour; output: text, reasoning, audio —
// each with its price per token and colour, for the session detail's token and money bars; and its units (seconds,
// characters, images). messagesParts() is the same split in Anthropic's words, for a Claude call's log detail.
#include "billing/usage.h"
#include "live/sessionpricer.h"

#include <QColor>
#include <QCoreApplication>
#include <QList>
#include <QString>

namespace RelayDesk::Ui {

class SessionBreakdown final
{
    // Its labels are the session detail's (same translation context).
    Q_DECLARE_TR_FUNCTIONS(RelayDesk::Ui::SessionDetailView)

public:
    struct Part
    {
        QString label;
        qint64 tokens;
        double pricePerToken;
        QColor color;
    };

    // What a unit-priced call is billed for besides tokens: audio seconds, characters, images (with size and
    // quality), each in words (UnitsText) with its quota at the model's unit prices; only the units present.
    struct UnitPart
    {
        QString label;
        double quota;
        QColor color;
    };

    static QList<Part> inputParts(const Billing::Usage &usage, const TokenPrices &prices);
    static QList<Part> outputParts(const Billing::Usage &usage, const TokenPrices &prices);
    // Anthropic's additive usage: input (input_tokens: neither read from nor written to the cache), cache reads,
    // 5-minute cache writes, 1-hour cache writes, output — always these five, in this order, summing to the usage.
    static QList<Part> messagesParts(const Billing::Usage &usage, const TokenPrices &prices);
    static QList<UnitPart> unitParts(const Billing::Units &units, const TokenPrices &prices);
};

} // namespace RelayDesk::Ui
