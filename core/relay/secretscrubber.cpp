#include "relay/secretscrubber.h"

#include <QtCore/QRegularExpression>

namespace RelayDesk::Relay {

namespace {

// A piece of the secret this long identifies it (and could help guess the rest); shorter pieces (the last four
// characters on their own) are common words and numbers and stay.
constexpr qsizetype kMinFragment = 8;

} // namespace

QString SecretScrubber::scrub(const QString &text, const QString &secret)
{
    QString out = text;
    const QString trimmed = secret.trimmed();
    if (trimmed.size() >= 4)
        out.replace(trimmed, kRedacted);
    // API-key-shaped tokens (sk-…, sk-proj-…, rk-…, sess-…), masked or not.
    static const QRegularExpression keyShaped(QStringLiteral(R"((?<![A-Za-z0-9])(?:sk|rk|pk|sess)-[A-Za-z0-9_\-\*\.…]{2,})"));
    out.replace(keyShaped, kRedacted);
    // Masked fragments: "****WXYZ", "abcd…wxyz", "ab**…**yz".
    static const QRegularExpression masked(QStringLiteral(R"([A-Za-z0-9_\-]*(?:\*{2,}|…|\.{3})[A-Za-z0-9_\-]{2,})"));
    out.replace(masked, kRedacted);
    if (trimmed.size() < kMinFragment)
        return out;
    // Long pieces of the secret itself (a prefix, a suffix, the middle).
    static const QRegularExpression token(QStringLiteral(R"([A-Za-z0-9_\-\.]{8,})"));
    QString result;
    qsizetype last = 0;
    for (auto it = token.globalMatch(out); it.hasNext();) {
        const auto m = it.next();
        if (!trimmed.contains(m.captured()))
            continue;
        result += QStringView(out).mid(last, m.capturedStart() - last);
        result += kRedacted;
        last = m.capturedEnd();
    }
    if (last == 0)
        return out;
    result += QStringView(out).mid(last);
    return result;
}

QByteArray SecretScrubber::scrub(const QByteArray &text, const QByteArray &secret)
{
    return scrub(QString::fromUtf8(text), QString::fromUtf8(secret)).toUtf8();
}

} // namespace RelayDesk::Relay
