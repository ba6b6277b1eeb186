#pragma once
// The account that process-level load tests bill: a user, a key with its own quota, and a channel "fake" serving
// gpt-4o-mini at the fake upstream's port (tools/fakeupstream). Written straight to the database before the
// relay starts; the tests then compare the debits with the consume logs.
#include "store/apikeyrepository.h"
#include "store/channelrepository.h"
#include "store/database.h"
#include "store/userrepository.h"

#include <optional>

namespace RelayDeskTest {

inline constexpr qint64 kLoadUserQuota = 1'000'000'000;
inline constexpr qint64 kLoadKeyQuota = 500'000'000;

struct LoadAccount
{
    RelayDesk::Store::User user;
    RelayDesk::Store::CreatedApiKey key;
};

inline std::optional<LoadAccount> createLoadAccount(const RelayDesk::Store::Database &db, const QString &name,
                                                    const QByteArray &upstreamPort)
{
    using namespace RelayDesk;
    const auto user = Store::UserRepository(db).create(name, QStringLiteral("default"), kLoadUserQuota);
    if (!user)
        return std::nullopt;
    Store::NewApiKey spec;
    spec.userId = user->id;
    spec.name = name + QStringLiteral("-key");
    spec.quota = kLoadKeyQuota;
    const auto key = Store::ApiKeyRepository(db).create(spec);
    if (!key)
        return std::nullopt;
    Store::Channel channel;
    channel.name = QStringLiteral("fake");
    channel.baseUrl = QStringLiteral("http://127.0.0.1:") + QString::fromLatin1(upstreamPort);
    channel.secret = QStringLiteral("unused");
    channel.models = {QStringLiteral("gpt-4o-mini")};
    if (!Store::ChannelRepository(db).create(channel))
        return std::nullopt;
    return LoadAccount{user.value(), key.value()};
}

} // namespace RelayDeskTest
