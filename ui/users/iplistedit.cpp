#include "users/iplistedit.h"

#include "common/cidr.h"

namespace RelayDesk::Ui {

IpListEdit::IpListEdit(QWidget *parent)
    : QPlainTextEdit(parent)
{
    setPlaceholderText(tr("Every address. Or one per line, e.g.\n203.0.113.7\n10.0.0.0/8\n2001:db8::/32"));
    setTabChangesFocus(true);
    QFont mono(QStringLiteral("monospace"));
    mono.setStyleHint(QFont::TypeWriter);
    setFont(mono);
}

void IpListEdit::setEntries(const QStringList &entries)
{
    m_loaded = entries;
    setPlainText(entries.join(QLatin1Char('\n')));
}

QStringList IpListEdit::entries() const
{
    QStringList out;
    for (const QString &line : toPlainText().split(QLatin1Char('\n')))
        if (const QString t = line.trimmed(); !t.isEmpty())
            out << t;
    return out;
}

QString IpListEdit::validationError() const
{
    const QStringList lines = toPlainText().split(QLatin1Char('\n'));
    int count = 0;
    for (int i = 0; i < lines.size(); ++i) {
        const QString t = lines[i].trimmed();
        if (t.isEmpty())
            continue;
        if (!Cidr::parse(t))
            return tr("Line %1: \"%2\" is not an IP address or CIDR (like 203.0.113.7, 10.0.0.0/8 or 2001:db8::/32).")
                .arg(i + 1)
                .arg(t);
        ++count;
    }
    if (count > Cidr::kMaxListEntries)
        return tr("An IP list holds at most %1 entries (this one has %2).").arg(Cidr::kMaxListEntries).arg(count);
    return {};
}

} // namespace RelayDesk::Ui
