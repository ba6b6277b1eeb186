#pragma once

#include <QObject>
#include <QStringList>
#include <QUrl>

class QNetworkAccessManager;
class QNetworkReply;

namespace RelayDesk::Ui {

// "Simulate traffic": real streaming chat completions sent through the running relay (normally to the
// demo channel), so every view — live sessions, logs, dashboard, balances — shows genuine activity.
class RelayTrafficSimulator final : public QObject
{
    Q_OBJECT

public:
    // baseUrl like "http://127.0.0.1:8790/v1"; key: a full API key the relay accepts.
    RelayTrafficSimulator(QUrl baseUrl, QString key, QObject *parent = nullptr);

    // Sends `requests` chat completions over `models` (round robin), `spacingMs` apart.
    void run(int requests, const QStringList &models, int spacingMs = 150);
    // Sends `requests` Anthropic Messages calls (POST /v1/messages, x-api-key) over `models` (round robin),
    // `spacingMs` apart, streamed and not in turn. Each asks the demo upstream for prompt-cache usage — cache reads,
    // 5-minute and 1-hour writes in rotation — so the console shows Claude's breakdown. Counted in finished().
    void runMessages(int requests, const QStringList &models, int spacingMs = 150);
    // Opens `sessions` Realtime WebSocket sessions on `model`; each streams `turns` × 1 s of (silent)
    // audio, asks for a response and waits for response.done, then closes. Counted in finished().
    void runRealtime(int sessions, const QString &model, int turns = 2, int spacingMs = 300);
    bool isRunning() const { return m_pending > 0; }

signals:
    void finished(int succeeded, int failed, const QString &lastError);

private:
    void sendOne(const QString &model, int n);
    void sendMessage(const QString &model, int n);
    void expect(QNetworkReply *reply);
    void begin(int requests);
    void openRealtime(const QString &model, int turns);
    void done(bool ok, const QString &error);

    QUrl m_base;
    QString m_key;
    QNetworkAccessManager *m_nam = nullptr;
    int m_pending = 0;
    int m_ok = 0;
    int m_failed = 0;
    QString m_lastError;
};

} // namespace RelayDesk::Ui
