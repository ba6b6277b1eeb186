#pragma once
// Upstream HTTP for the relay thread: a round-robin pool of QNetworkAccessManagers. One QNAM opens at most
// 6 HTTP/1.1 connections per host (Qt 6.4 has no QHttp1Configuration), so concurrent streams to one
// provider queue behind each other unless spread over several managers.
#include <QtCore/QByteArray>
#include <QtCore/QList>
#include <QtCore/QObject>
#include <QtCore/QUrl>

#include <chrono>

QT_BEGIN_NAMESPACE
class QNetworkAccessManager;
class QNetworkReply;
QT_END_NAMESPACE

namespace RelayDesk::Relay {

class UpstreamPool final : public QObject
{
    Q_OBJECT

public:
    struct Options
    {
        int managers = 16;                            // × 6 connections per host
        std::chrono::milliseconds transferTimeout{120'000}; // no byte for this long → TimeoutError (→ 504)
    };

    explicit UpstreamPool(Options options, QObject *parent = nullptr);
    explicit UpstreamPool(QObject *parent = nullptr) : UpstreamPool(Options{}, parent) {}
    ~UpstreamPool() override;

    // POSTs a JSON body; the caller owns the reply (deleteLater it). `bearer` may be empty.
    QNetworkReply *postJson(const QUrl &url, const QByteArray &body, const QByteArray &bearer,
                            bool expectEventStream);
    const Options &options() const { return m_options; }

    // base "https://api.openai.com" or ".../v1" + "chat/completions" → ".../v1/chat/completions".
    static QUrl endpoint(const QString &baseUrl, QByteArrayView pathAfterV1);

private:
    Options m_options;
    QList<QNetworkAccessManager *> m_managers;
    int m_next = 0;
};

} // namespace RelayDesk::Relay
