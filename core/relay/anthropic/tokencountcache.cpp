#include "relay/anthropic/tokencountcache.h"

#include "relay/jsoncount.h"

#include <QtCore/QCryptographicHash>
#include <QtCore/QJsonDocument>

namespace RelayDesk::Relay {

TokenCountCache::TokenCountCache(int capacity, qint64 ttlMs, Clock clock)
    : m_capacity(std::max(capacity, 1))
    , m_ttlMs(ttlMs)
    , m_clock(std::move(clock))
{
    m_elapsed.start();
}

QByteArray TokenCountCache::promptHash(const QJsonObject &request)
{
    QJsonObject prompt;
    for (const char *field : {"model", "system", "messages", "tools", "tool_choice", "thinking"}) {
        const QJsonValue value = request.value(QLatin1StringView(field));
        if (!value.isUndefined())
            prompt.insert(QLatin1StringView(field), value);
    }
    return QCryptographicHash::hash(QJsonDocument(prompt).toJson(QJsonDocument::Compact),
                                    QCryptographicHash::Sha256);
}

std::optional<qint64> TokenCountCache::readCount(int status, const QByteArray &body, qint64 max)
{
    if (status != 200)
        return std::nullopt;
    const QJsonDocument doc = QJsonDocument::fromJson(body);
    if (!doc.isObject())
        return std::nullopt;
    return jsonCount(doc.object().value(QLatin1StringView("input_tokens")), max);
}

QByteArray TokenCountCache::entryKey(qint64 keyId, const QByteArray &promptHash)
{
    return QByteArray::number(keyId) + ':' + promptHash;
}

qint64 TokenCountCache::now() const
{
    return m_clock ? m_clock() : m_elapsed.elapsed();
}

void TokenCountCache::remember(qint64 keyId, const QByteArray &promptHash, qint64 inputTokens)
{
    const qint64 at = now();
    prune(at);
    const QByteArray key = entryKey(keyId, promptHash);
    if (const auto it = m_index.constFind(key); it != m_index.cend())
        erase(*it);
    m_entries.push_back(Entry{key, inputTokens, at});
    m_index.insert(key, std::prev(m_entries.end()));
    while (m_index.size() > m_capacity)
        erase(m_entries.begin());
}

std::optional<qint64> TokenCountCache::recall(qint64 keyId, const QByteArray &promptHash)
{
    prune(now());
    const auto it = m_index.constFind(entryKey(keyId, promptHash));
    if (it == m_index.cend())
        return std::nullopt;
    return (*it)->inputTokens;
}

void TokenCountCache::prune(qint64 nowMs)
{
    while (!m_entries.empty() && nowMs - m_entries.front().storedAtMs >= m_ttlMs)
        erase(m_entries.begin());
}

void TokenCountCache::erase(std::list<Entry>::iterator it)
{
    m_index.remove(it->key);
    m_entries.erase(it);
}

} // namespace RelayDesk::Relay
