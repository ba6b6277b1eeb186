#include "service/livesessionrows.h"


namespace RelayDesk::Service::LiveSessionRows {
namespace {

Monitor::SessionKind kindFromName(const QString &name)
{
    for (int k = int(Monitor::SessionKind::Http); k <= int(Monitor::SessionKind::Messages); ++k)
        if (Monitor::kindName(Monitor::SessionKind(k)) == name)
            return Monitor::SessionKind(k);
    return Monitor::SessionKind::Http;
}

Monitor::SessionState stateFromName(const QString &name)
{
    for (int s = int(Monitor::SessionState::Connecting); s <= int(Monitor::SessionState::Failed); ++s)
        if (Monitor::stateName(Monitor::SessionState(s)) == name)
            return Monitor::SessionState(s);
    return Monitor::SessionState::Active;
}

} // namespace

Store::LiveSession toRow(const Monitor::SessionInfo &s, const QString &instanceId, qint64 nowMs)
{
    Store::LiveSession r;
    r.instanceId = instanceId;
    r.sessionId = qint64(s.id);
    r.kind = Monitor::kindName(s.kind);
    r.model = s.model;
    r.channel = s.channel;
    r.user = s.user;
    r.keyHint = s.keyHint;
    r.state = Monitor::stateName(s.state);
    r.mediaPath = Monitor::mediaPathName(s.mediaPath);
    r.startedAt = s.startedAt.isValid() ? s.startedAt.toMSecsSinceEpoch() : nowMs;
    r.updatedAt = nowMs;
    const Billing::Usage &u = s.usage;
    r.inputText = u.inputText;
    r.inputAudio = u.inputAudio;
    r.inputImage = u.inputImage;
    r.cachedText = u.cachedText;
    r.cachedAudio = u.cachedAudio;
    r.cachedImage = u.cachedImage;
    r.outputText = u.outputText;
    r.outputAudio = u.outputAudio;
    r.outputReasoning = u.outputReasoning;
    r.reservedQuota = s.reservedQuota;
    r.chargedQuota = s.chargedQuota;
    return r;
}

Monitor::SessionInfo fromRow(const Store::LiveSession &r)
{
    Monitor::SessionInfo s;
    s.id = quint64(r.sessionId);
    s.instanceId = r.instanceId;
    s.kind = kindFromName(r.kind);
    s.state = stateFromName(r.state);
    s.model = r.model;
    s.channel = r.channel;
    s.user = r.user;
    s.keyHint = r.keyHint;
    s.mediaPath = r.mediaPath == Monitor::mediaPathName(Monitor::MediaPath::DirectWebRtc)
                      ? Monitor::MediaPath::DirectWebRtc
                      : Monitor::MediaPath::Relayed;
    s.startedAt = QDateTime::fromMSecsSinceEpoch(r.startedAt, Qt::UTC);
    Billing::Usage &u = s.usage;
    u.inputText = r.inputText;
    u.inputAudio = r.inputAudio;
    u.inputImage = r.inputImage;
    u.cachedText = r.cachedText;
    u.cachedAudio = r.cachedAudio;
    u.cachedImage = r.cachedImage;
    u.outputText = r.outputText;
    u.outputAudio = r.outputAudio;
    u.outputReasoning = r.outputReasoning;
    s.reservedQuota = r.reservedQuota;
    s.chargedQuota = r.chargedQuota;
    return s;
}

} // namespace RelayDesk::Service::LiveSessionRows
