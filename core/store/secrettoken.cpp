#include "secrettoken.h"

#include <QCryptographicHash>
#include <QRandomGenerator>

#include <algorithm>

namespace RelayDesk::Store {

namespace {

bool isBase62(QChar c)
{
    return (c >= u'0' && c <= u'9') || (c >= u'A' && c <= u'Z') || (c >= u'a' && c <= u'z');
}

} // namespace

QString SecretToken::generate(QLatin1StringView prefix)
{
    static constexpr char kAlphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    QRandomGenerator *rng = QRandomGenerator::system(); // the OS CSPRNG
    QString token = prefix;
    token.reserve(prefix.size() + kRandomChars);
    for (int i = 0; i < kRandomChars; ++i)
        token += QLatin1Char(kAlphabet[rng->bounded(62)]); // bounded() is unbiased
    return token;
}

bool SecretToken::looksLike(const QString &text, QLatin1StringView prefix)
{
    return text.size() == prefix.size() + kRandomChars && text.startsWith(prefix) &&
           std::all_of(text.cbegin() + prefix.size(), text.cend(), isBase62);
}

QString SecretToken::hash(const QString &token)
{
    return QString::fromLatin1(QCryptographicHash::hash(token.toUtf8(), QCryptographicHash::Sha256).toHex());
}

} // namespace RelayDesk::Store
