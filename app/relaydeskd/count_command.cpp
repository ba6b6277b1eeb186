// relaydeskd count [--model M | --encoding E] [FILE...]
// relaydeskd count [--model M | --encoding E] --jsonl [FILE]
//
// Prints the exact tiktoken token count of each FILE (stdin when none), one number per line in argument
// order; with --jsonl, one number per JSON line: the count of that object's "text" string. Default
// encoding: o200k_base. Special-token text ("<|endoftext|>" ...) is counted as ordinary text, like
// tiktoken's encode_ordinary. Errors (unknown model or encoding, unreadable file, invalid JSON line)
// go to stderr and exit with 2; nothing is printed to stdout then.
#include "commands.h"
#include "input_file.h"
#include "jsonl_text.h"

#include "tokenize/encoding.h"
#include "tokenize/modelmap.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QTextStream>

#include <algorithm>
#include <cstdio>
#include <optional>

namespace RelayDesk::Cli {

namespace {

using Tokenize::Encoding;

int fail(const QString &message)
{
    QTextStream(stderr) << "relaydeskd count: " << message << '\n';
    return 2;
}

int usage()
{
    QTextStream(stdout)
        << "usage: relaydeskd count [--model M | --encoding E] [FILE...]\n"
           "       relaydeskd count [--model M | --encoding E] --jsonl [FILE]\n"
           "Prints the exact tiktoken (encode_ordinary) token count of each FILE, or of stdin, one per line.\n"
           "--jsonl: one count per JSON line, of the object's \"text\" string.\n"
           "Encodings: cl100k_base, o200k_base (default), p50k_base, r50k_base, and <name>.tiktoken files\n"
           "in $RELAYDESK_TIKTOKEN_DIR. Special-token text is counted as ordinary text.\n";
    return 0;
}

// Qt's JSON parser drops a raw U+FEFF inside strings; a raw BOM is only valid JSON inside a string (or
// as a leading BOM, stripped first), so spelling it as an escape is exact.
QByteArray protectByteOrderMarks(QByteArray line)
{
    static const QByteArray bom("\xEF\xBB\xBF");
    if (line.startsWith(bom))
        line.remove(0, 3);
    if (line.contains(bom))
        line.replace(bom, "\\ufeff");
    return line;
}

bool blank(std::string_view line)
{
    return std::all_of(line.begin(), line.end(), [](char c) { return c == ' ' || (c >= '\t' && c <= '\r'); });
}

// The general path for a line jsonlText() leaves alone: Qt's parser, its error messages.
bool countJsonLineWithQt(const Encoding &enc, const QString &path, qsizetype lineNo, const QByteArray &line,
                         QByteArray *out, QString *error)
{
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(protectByteOrderMarks(line), &parseError);
    if (parseError.error != QJsonParseError::NoError || !doc.isObject()) {
        *error = u"%1:%2: invalid JSON line: %3"_qs.arg(path).arg(lineNo).arg(
            parseError.error != QJsonParseError::NoError ? parseError.errorString() : u"not an object"_qs);
        return false;
    }
    const QJsonValue text = doc.object().value(u"text");
    if (!text.isString()) {
        *error = u"%1:%2: no \"text\" string"_qs.arg(path).arg(lineNo);
        return false;
    }
    out->append(QByteArray::number(qulonglong(enc.count(QStringView(text.toString()))))).append('\n');
    return true;
}

// Plain records are counted straight from the file's UTF-8 bytes (jsonl_text.h); only the rest goes
// through QJsonDocument, so the output is the same either way.
bool countJsonLines(const Encoding &enc, const QString &path, std::string_view all, QByteArray *out, QString *error)
{
    std::string scratch;
    qsizetype lineNo = 0;
    size_t start = 0;
    while (start < all.size()) {
        size_t end = all.find('\n', start);
        if (end == std::string_view::npos)
            end = all.size();
        const std::string_view line = all.substr(start, end - start);
        start = end + 1;
        ++lineNo;
        if (blank(line))
            continue;
        if (const std::optional<std::string_view> text = jsonlText(line, &scratch, all.size() - end)) {
            out->append(QByteArray::number(qulonglong(enc.count(*text)))).append('\n');
            continue;
        }
        if (!countJsonLineWithQt(enc, path, lineNo, QByteArray(line.data(), qsizetype(line.size())), out, error))
            return false;
    }
    return true;
}

} // namespace

int runCount(const QStringList &args)
{
    QString model, encodingName;
    bool jsonl = false;
    QStringList files;
    for (qsizetype i = 0; i < args.size(); ++i) {
        const QString &a = args[i];
        if (a == u"--help" || a == u"-h")
            return usage();
        if (a == u"--jsonl") {
            jsonl = true;
        } else if (a == u"--model" || a == u"--encoding") {
            if (i + 1 >= args.size())
                return fail(a + u" needs a value");
            (a == u"--model" ? model : encodingName) = args[++i];
        } else if (a.startsWith(u"--model=")) {
            model = a.mid(8);
        } else if (a.startsWith(u"--encoding=")) {
            encodingName = a.mid(11);
        } else if (a.startsWith(u"--")) {
            return fail(u"unknown option '%1'"_qs.arg(a));
        } else {
            files.append(a);
        }
    }
    if (!model.isEmpty() && !encodingName.isEmpty())
        return fail(u"use either --model or --encoding, not both"_qs);

    const Encoding *enc = nullptr;
    if (!model.isEmpty()) {
        enc = Tokenize::encodingForModel(model);
        if (!enc)
            return fail(u"unknown model '%1': no tiktoken encoding for it (use --encoding)"_qs.arg(model));
    } else {
        const QString name = encodingName.isEmpty() ? u"o200k_base"_qs : encodingName;
        enc = Encoding::byName(name.toStdString());
        if (!enc)
            return fail(u"unknown encoding '%1' (built in: cl100k_base, o200k_base, p50k_base, r50k_base; "
                        "more as <name>.tiktoken in $RELAYDESK_TIKTOKEN_DIR)"_qs.arg(name));
    }
    if (files.isEmpty())
        files.append(u"-"_qs);
    if (jsonl && files.size() > 1)
        return fail(u"--jsonl takes one FILE"_qs);

    QByteArray out;
    for (const QString &path : files) {
        QString error;
        InputFile input;
        if (!input.open(path, &error))
            return fail(error);
        if (jsonl) {
            if (!countJsonLines(*enc, path == u"-" ? u"<stdin>"_qs : path, input.bytes(), &out, &error))
                return fail(error);
        } else {
            out.append(QByteArray::number(qulonglong(enc->count(input.bytes())))).append('\n');
        }
    }
    std::fwrite(out.constData(), 1, size_t(out.size()), stdout);
    return std::fflush(stdout) == 0 ? 0 : 1;
}

} // namespace RelayDesk::Cli
