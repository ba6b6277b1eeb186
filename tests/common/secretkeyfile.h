#pragma once
// For tests on PostgreSQL: channel secrets are sealed with the key file named by RELAYDESK_SECRET_KEY_FILE
// (there is no data dir beside the database to keep it in). This writes a fresh key into `dir` and points
// this process — and the processes it starts — at it, so no test touches the user's own data dir.
#include "store/channelrepository.h"

#include <QtCore/QDir>
#include <QtCore/QFile>
#include <QtCore/QRandomGenerator>

namespace RelayDeskTest {

inline bool useTemporarySecretKey(const QString &dir)
{
    QByteArray key(32, Qt::Uninitialized);
    QRandomGenerator::system()->fillRange(reinterpret_cast<quint32 *>(key.data()), key.size() / 4);
    const QString path = QDir(dir).filePath(QStringLiteral("secret.key"));
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) ||
        !file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner) || file.write(key.toHex()) != 64)
        return false;
    file.close();
    return qputenv(RelayDesk::Store::ChannelRepository::kSecretKeyFileEnv, QFile::encodeName(path));
}

} // namespace RelayDeskTest
