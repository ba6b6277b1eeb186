// The one mapping from a request path to an endpoint kind: every metered path the relay logs, the paths' query
// strings and fragments, unknown and near-miss paths (Other), the kind ids both ways, the per-kind path lists the
// logs filter uses (consistent with the mapping), and the live kinds' families.
#include "monitor/endpointkind.h"

#include <QtTest>

using namespace RelayDesk::Monitor;

namespace QTest {
template<> inline char *toString(const EndpointKind &kind) { return qstrdup(qPrintable(endpointKindId(kind))); }
} // namespace QTest

class TestEndpointKind final : public QObject
{
    Q_OBJECT

private slots:
    void kindForPath_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<EndpointKind>("kind");
        QTest::newRow("chat") << QStringLiteral("/v1/chat/completions") << EndpointKind::Chat;
        QTest::newRow("responses") << QStringLiteral("/v1/responses") << EndpointKind::Responses;
        QTest::newRow("responses compact") << QStringLiteral("/v1/responses/compact") << EndpointKind::Responses;
        QTest::newRow("realtime") << QStringLiteral("/v1/realtime") << EndpointKind::Realtime;
        QTest::newRow("realtime with model") << QStringLiteral("/v1/realtime?model=gpt-realtime") << EndpointKind::Realtime;
        QTest::newRow("embeddings") << QStringLiteral("/v1/embeddings") << EndpointKind::Embeddings;
        QTest::newRow("legacy completions") << QStringLiteral("/v1/completions") << EndpointKind::Completion;
        QTest::newRow("moderations") << QStringLiteral("/v1/moderations") << EndpointKind::Moderation;
        QTest::newRow("transcriptions") << QStringLiteral("/v1/audio/transcriptions") << EndpointKind::Transcription;
        QTest::newRow("translations") << QStringLiteral("/v1/audio/translations") << EndpointKind::Transcription;
        QTest::newRow("speech") << QStringLiteral("/v1/audio/speech") << EndpointKind::Speech;
        QTest::newRow("image generations") << QStringLiteral("/v1/images/generations") << EndpointKind::Image;
        QTest::newRow("image edits") << QStringLiteral("/v1/images/edits") << EndpointKind::Image;
        QTest::newRow("image variations") << QStringLiteral("/v1/images/variations") << EndpointKind::Image;
        QTest::newRow("anthropic messages") << QStringLiteral("/v1/messages") << EndpointKind::Messages;
        QTest::newRow("messages count_tokens (unmetered)") << QStringLiteral("/v1/messages/count_tokens")
                                                          << EndpointKind::Other;
        QTest::newRow("query string") << QStringLiteral("/v1/embeddings?api-version=1") << EndpointKind::Embeddings;
        QTest::newRow("empty query") << QStringLiteral("/v1/audio/speech?") << EndpointKind::Speech;
        QTest::newRow("fragment") << QStringLiteral("/v1/images/edits#x") << EndpointKind::Image;
        QTest::newRow("empty") << QString() << EndpointKind::Other;
        QTest::newRow("only a query") << QStringLiteral("?/v1/embeddings") << EndpointKind::Other;
        QTest::newRow("unknown") << QStringLiteral("/v1/files") << EndpointKind::Other;
        QTest::newRow("models") << QStringLiteral("/v1/models") << EndpointKind::Other;
        QTest::newRow("response retrieve") << QStringLiteral("/v1/responses/resp_123") << EndpointKind::Other;
        QTest::newRow("trailing slash") << QStringLiteral("/v1/embeddings/") << EndpointKind::Other;
        QTest::newRow("other case") << QStringLiteral("/V1/Embeddings") << EndpointKind::Other;
        QTest::newRow("no version") << QStringLiteral("/chat/completions") << EndpointKind::Other;
        QTest::newRow("prefix only") << QStringLiteral("/v1/images") << EndpointKind::Other;
        QTest::newRow("longer than the bound")
            << QStringLiteral("/v1/embeddings") + QString(kMaxRequestPathLength, QLatin1Char('x')) << EndpointKind::Other;
    }
    void kindForPath()
    {
        QFETCH(QString, path);
        QFETCH(EndpointKind, kind);
        QCOMPARE(endpointKindForPath(path), kind);
        // The per-kind lists say the same as the mapping for the stored (normalized) form of the path.
        const QString stored = normalizedRequestPath(path);
        if (kind == EndpointKind::Other)
            QVERIFY(!knownEndpointPaths().contains(stored));
        else
            QVERIFY(endpointPaths(kind).contains(stored));
    }

    void normalizedPathIsBounded_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("normal");
        QTest::newRow("plain") << QStringLiteral("/v1/audio/speech") << QStringLiteral("/v1/audio/speech");
        QTest::newRow("query") << QStringLiteral("/v1/realtime?model=a#b") << QStringLiteral("/v1/realtime");
        QTest::newRow("fragment before query") << QStringLiteral("/a#b?c") << QStringLiteral("/a");
        QTest::newRow("long") << QString(1000, QLatin1Char('p')) << QString(kMaxRequestPathLength, QLatin1Char('p'));
    }
    void normalizedPathIsBounded()
    {
        QFETCH(QString, path);
        QFETCH(QString, normal);
        QCOMPARE(normalizedRequestPath(path), normal);
    }

    void everyKindHasAnIdAndAName()
    {
        const QList<EndpointKind> kinds = allEndpointKinds();
        QCOMPARE(kinds.size(), 11);
        QCOMPARE(kinds.last(), EndpointKind::Other);
        QSet<QString> ids;
        for (EndpointKind kind : kinds) {
            const QString id = endpointKindId(kind);
            QVERIFY(!id.isEmpty());
            ids.insert(id);
            QCOMPARE(endpointKindFromId(id), std::optional<EndpointKind>(kind));
            QVERIFY(!endpointKindName(kind).isEmpty());
            for (const QString &path : endpointPaths(kind))
                QCOMPARE(endpointKindForPath(path), kind);
            QCOMPARE(endpointPaths(kind).isEmpty(), kind == EndpointKind::Other);
        }
        QCOMPARE(ids.size(), kinds.size());
        QCOMPARE(endpointKindFromId(u"nope"), std::nullopt);
        QCOMPARE(endpointKindName(EndpointKind::Transcription), QStringLiteral("Transcription"));
        QCOMPARE(knownEndpointPaths().size(), 14);
    }

    void sessionKindsBelongToTheirFamily_data()
    {
        QTest::addColumn<SessionKind>("session");
        QTest::addColumn<EndpointKind>("kind");
        QTest::addColumn<QString>("id");
        QTest::newRow("http") << SessionKind::Http << EndpointKind::Chat << QStringLiteral("http");
        QTest::newRow("realtime") << SessionKind::Realtime << EndpointKind::Realtime << QStringLiteral("realtime");
        QTest::newRow("responses") << SessionKind::Responses << EndpointKind::Responses << QStringLiteral("responses");
        QTest::newRow("responses ws") << SessionKind::ResponsesWebSocket << EndpointKind::Responses
                                      << QStringLiteral("responses_ws");
        QTest::newRow("embeddings") << SessionKind::Embeddings << EndpointKind::Embeddings << QStringLiteral("embeddings");
        QTest::newRow("completion") << SessionKind::Completion << EndpointKind::Completion << QStringLiteral("completion");
        QTest::newRow("moderation") << SessionKind::Moderation << EndpointKind::Moderation << QStringLiteral("moderation");
        QTest::newRow("transcription") << SessionKind::Transcription << EndpointKind::Transcription
                                       << QStringLiteral("transcription");
        QTest::newRow("speech") << SessionKind::Speech << EndpointKind::Speech << QStringLiteral("speech");
        QTest::newRow("image") << SessionKind::Image << EndpointKind::Image << QStringLiteral("image");
        QTest::newRow("messages") << SessionKind::Messages << EndpointKind::Messages << QStringLiteral("messages");
    }
    void sessionKindsBelongToTheirFamily()
    {
        QFETCH(SessionKind, session);
        QFETCH(EndpointKind, kind);
        QFETCH(QString, id);
        QCOMPARE(endpointKindForSession(session), kind);
        QCOMPARE(kindName(session), id);
    }
};

QTEST_GUILESS_MAIN(TestEndpointKind)
#include "tst_endpointkind.moc"
