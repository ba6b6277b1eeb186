// libFuzzer target: arbitrary Realtime frames, both directions, through RealtimeMeter and the session's
// money arithmetic (usage → exact quota → rounding), socket-free. Crashes, sanitizer reports, negative
// counts or negative quotas are failures.
//
// Input: segments separated by NUL bytes; a segment's first byte picks the direction (even: client, odd:
// upstream), the rest is the frame. The whole input is also fed as one frame each way.
#include "relay/realtime/realtimepricing.h"
#include "relay/realtime/realtimemeter.h"

#include <QCoreApplication>

#include <cstddef>
#include <cstdint>

using namespace RelayDesk;

namespace {

const Billing::ModelPricing &pricing()
{
    static const Billing::ModelPricing p = [] {
        Billing::ModelPricing m;
        m.model = QStringLiteral("gpt-realtime");
        m.modelRatio = *Billing::Ratio::parse(QStringLiteral("2"));
        m.completionRatio = *Billing::Ratio::parse(QStringLiteral("4"));
        m.cacheRatio = *Billing::Ratio::parse(QStringLiteral("0.1"));
        m.audioRatio = *Billing::Ratio::parse(QStringLiteral("8"));
        m.audioCompletionRatio = *Billing::Ratio::parse(QStringLiteral("2"));
        m.audioCacheRatio = *Billing::Ratio::parse(QStringLiteral("0.0125"));
        return m;
    }();
    return p;
}

void check(const Monitor::SessionUsage &u)
{
    if (u.inputText < 0 || u.inputAudio < 0 || u.inputImage < 0 || u.cachedText < 0 || u.cachedAudio < 0
        || u.cachedImage < 0 || u.outputText < 0 || u.outputAudio < 0 || u.outputReasoning < 0
        || u.cachedText > u.inputText || u.cachedAudio > u.inputAudio || u.cachedImage > u.inputImage)
        __builtin_trap();
    const mpq_class exact = Relay::realtimeExactQuota(Relay::consistentUsage(u), pricing());
    if (sgn(exact) < 0 || Relay::roundQuota(exact) < 0)
        __builtin_trap();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArrayView input(reinterpret_cast<const char *>(data), qsizetype(size));
    Relay::RealtimeMeter meter([](const QString &text) { return qint64((text.size() + 3) / 4); });
    meter.observeClient(input);
    meter.observeUpstream(input);
    qsizetype start = 0;
    while (start < input.size()) {
        qsizetype end = input.indexOf('\0', start);
        if (end < 0)
            end = input.size();
        const QByteArrayView segment = input.sliced(start, end - start);
        if (!segment.isEmpty()) {
            const QByteArrayView frame = segment.sliced(1);
            if (uint8_t(segment[0]) % 2 == 0)
                meter.observeClient(frame);
            else
                meter.observeUpstream(frame);
        }
        start = end + 1;
    }
    for (const Relay::MeteredResponse &response : meter.takeCompletedResponses())
        check(response.usage);
    for (const Relay::TranscriptionUsage &t : meter.takeTranscriptions()) {
        const Billing::Usage u = Relay::transcriptionUsage(t);
        if (!u.isValid())
            __builtin_trap();
    }
    check(meter.liveUsage());
    check(meter.takePending());
    check(meter.total());
    return 0;
}
