#include "secretmask.h"

namespace RelayDesk {

QString maskSecret(const QString &secret)
{
    if (secret.isEmpty())
        return {};
    // Under 12 characters, 7 shown would be most of the secret.
    if (secret.size() < 12)
        return QStringLiteral("••••••");
    return secret.left(5) + QStringLiteral("••••••") + secret.right(2);
}

} // namespace RelayDesk
