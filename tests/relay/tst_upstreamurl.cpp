// One rule for a channel's endpoints, used by the chat relay, the Realtime dial and the console's Test button
// (which used to post to "//v1/…" for a base like "http://host/").
#include "relay/upstreamurl.h"

#include <QtTest/QtTest>

using namespace RelayDesk;

class TestUpstreamUrl final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void api_data()
    {
        QTest::addColumn<QString>("base");
        QTest::addColumn<QString>("url");
        QTest::newRow("host") << "https://api.openai.com" << "https://api.openai.com/v1/chat/completions";
        QTest::newRow("host/") << "http://host/" << "http://host/v1/chat/completions";
        QTest::newRow("host//") << "  http://host//  " << "http://host/v1/chat/completions";
        QTest::newRow("v1") << "https://api.openai.com/v1" << "https://api.openai.com/v1/chat/completions";
        QTest::newRow("v1/") << "http://127.0.0.1:9/v1/" << "http://127.0.0.1:9/v1/chat/completions";
        QTest::newRow("prefix") << "https://gw.example.com/openai" << "https://gw.example.com/openai/v1/chat/completions";
        QTest::newRow("prefix/v1") << "https://gw.example.com/openai/v1/" << "https://gw.example.com/openai/v1/chat/completions";
        QTest::newRow("v1 inside a word") << "https://host/apiv1" << "https://host/apiv1/v1/chat/completions";
    }

    void api()
    {
        QFETCH(QString, base);
        QFETCH(QString, url);
        QCOMPARE(Relay::upstreamApiUrl(base, u"chat/completions").toString(), url);
    }

    void realtime_data()
    {
        QTest::addColumn<QString>("base");
        QTest::addColumn<QByteArray>("query");
        QTest::addColumn<QString>("url");
        QTest::newRow("https") << "https://api.openai.com/v1" << QByteArray("model=gpt-realtime")
                               << "wss://api.openai.com/v1/realtime?model=mapped";
        QTest::newRow("http/, extra query") << "http://127.0.0.1:9/" << QByteArray("model=x&intent=transcription")
                                            << "ws://127.0.0.1:9/v1/realtime?model=mapped&intent=transcription";
    }

    void realtime()
    {
        QFETCH(QString, base);
        QFETCH(QByteArray, query);
        QFETCH(QString, url);
        QCOMPARE(Relay::upstreamRealtimeUrl(base, query, QStringLiteral("mapped")).toString(), url);
    }
};

QTEST_GUILESS_MAIN(TestUpstreamUrl)
#include "tst_upstreamurl.moc"
