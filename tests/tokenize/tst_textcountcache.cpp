// TextCountCache: a long text counted again comes from the cache with the same count; anything that differs — one
// character, the encoding, the thread — is counted afresh and exactly; short texts are always counted.
#include "tokenize/encoding.h"
#include "tokenize/textcountcache.h"

#include <QtCore/QThread>
#include <QtTest/QtTest>

using namespace RelayDesk::Tokenize;

namespace {

// A long conversation-like text in several scripts, code and JSON: `repeat` blocks of about 300 characters.
QString longText(int repeat, const QString &tag = {})
{
    QString s;
    for (int i = 0; i < repeat; ++i)
        s += QStringLiteral("Turn %1%2: the relay counts every token — Счёт токенов, عدّ الرموز, टोकन गिनती, "
                            "นับโทเค็น, 令牌计数, トークン数, 토큰 수. fn main() { println!(\"{}\", %1); } "
                            "{\"role\":\"user\",\"content\":\"hello %1\"} QUJDREVGR0g=\n")
                 .arg(i)
                 .arg(tag);
    return s;
}

const Encoding *encoding(const char *name)
{
    return Encoding::byName(name);
}

} // namespace

class TestTextCountCache final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void repeatedTextIsAHitWithTheSameCount_data()
    {
        QTest::addColumn<QString>("encodingName");
        QTest::addColumn<int>("blocks");
        for (const char *name : {"cl100k_base", "o200k_base"}) {
            QTest::addRow("%s 8 blocks", name) << QString::fromLatin1(name) << 8;
            QTest::addRow("%s 100 blocks", name) << QString::fromLatin1(name) << 100;
            QTest::addRow("%s 1400 blocks (~400 KB)", name) << QString::fromLatin1(name) << 1400;
        }
    }
    void repeatedTextIsAHitWithTheSameCount()
    {
        QFETCH(QString, encodingName);
        QFETCH(int, blocks);
        const Encoding *enc = encoding(encodingName.toLatin1().constData());
        QVERIFY(enc);
        const QString text = longText(blocks);
        QVERIFY(text.size() >= TextCountCache::kMinChars);
        const std::size_t exact = enc->count(QStringView(text));
        const std::uint64_t hitsBefore = TextCountCache::hits();
        QCOMPARE(TextCountCache::count(*enc, text), exact);
        QCOMPARE(TextCountCache::hits(), hitsBefore); // first time: counted
        QCOMPARE(TextCountCache::count(*enc, QString(text)), exact); // an equal copy
        QCOMPARE(TextCountCache::hits(), hitsBefore + 1);
    }

    void aDifferentTextOrEncodingIsCountedAfresh()
    {
        const Encoding *cl = encoding("cl100k_base");
        const Encoding *o200 = encoding("o200k_base");
        QVERIFY(cl && o200);
        const QString text = longText(20);
        QString changed = text;
        changed[changed.size() - 2] = u'!'; // one character near the end
        QCOMPARE(TextCountCache::count(*cl, text), cl->count(QStringView(text)));
        const std::uint64_t hits = TextCountCache::hits();
        QCOMPARE(TextCountCache::count(*cl, changed), cl->count(QStringView(changed)));
        QCOMPARE(TextCountCache::count(*o200, text), o200->count(QStringView(text)));
        const QString longer = text + QStringLiteral(" ");
        QCOMPARE(TextCountCache::count(*cl, longer), cl->count(QStringView(longer)));
        QCOMPARE(TextCountCache::hits(), hits);
        QVERIFY(cl->count(QStringView(text)) != o200->count(QStringView(text))); // the row above could tell
    }

    void shortTextsAreCountedDirectly()
    {
        const Encoding *enc = encoding("cl100k_base");
        QVERIFY(enc);
        const QString text = longText(1).left(TextCountCache::kMinChars - 1);
        const std::uint64_t hits = TextCountCache::hits();
        for (int i = 0; i < 3; ++i)
            QCOMPARE(TextCountCache::count(*enc, text), enc->count(QStringView(text)));
        QCOMPARE(TextCountCache::hits(), hits);
    }

    // Each thread keeps its own: another thread's first count of the same text is counted, and exact.
    void eachThreadHasItsOwn()
    {
        const Encoding *enc = encoding("cl100k_base");
        QVERIFY(enc);
        const QString text = longText(30, QStringLiteral("threads"));
        const std::size_t exact = enc->count(QStringView(text));
        QCOMPARE(TextCountCache::count(*enc, text), exact);
        std::size_t there = 0;
        std::uint64_t hitsThere = 1;
        std::unique_ptr<QThread> other(QThread::create([&] {
            there = TextCountCache::count(*enc, text);
            hitsThere = TextCountCache::hits();
        }));
        other->start();
        other->wait();
        QCOMPARE(there, exact);
        QCOMPARE(hitsThere, std::uint64_t(0));
    }
};

QTEST_GUILESS_MAIN(TestTextCountCache)
#include "tst_textcountcache.moc"
