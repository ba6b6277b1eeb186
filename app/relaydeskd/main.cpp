#include "commands.h"

#include "common/version.h"

#include <QCoreApplication>
#include <QTextStream>

namespace {

int usage(int code)
{
    QTextStream(code == 0 ? stdout : stderr)
        << "usage: relaydeskd <command> [options]\n"
           "  serve   [--data DIR | --db URL | --db-file FILE] [--listen HOST:PORT] [--demo]\n"
           "                                                                  run the relay headless\n"
           "  admin   <user|key|channel|pricing|quote|logs|audit> ...         administer (prints JSON)\n"
           "  count   [--model M | --encoding E] [--jsonl] [FILE...]          count tokens\n";
    return code;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QString::fromLatin1(RelayDesk::kApplicationName));
    QCoreApplication::setOrganizationName(QString::fromLatin1(RelayDesk::kOrganizationName));
    QCoreApplication::setApplicationVersion(QString::fromLatin1(RelayDesk::kVersion));

    QStringList args = app.arguments().mid(1);
    if (args.isEmpty())
        return usage(2);
    const QString command = args.takeFirst();
    if (command == u"serve")
        return RelayDesk::Cli::runServe(args);
    if (command == u"admin")
        return RelayDesk::Cli::runAdmin(args);
    if (command == u"count")
        return RelayDesk::Cli::runCount(args);
    if (command == u"--help" || command == u"-h" || command == u"help")
        return usage(0);
    if (command == u"--version") {
        QTextStream(stdout) << RelayDesk::kVersion << '\n';
        return 0;
    }
    QTextStream(stderr) << "relaydeskd: unknown command '" << command << "'\n";
    return usage(2);
}
