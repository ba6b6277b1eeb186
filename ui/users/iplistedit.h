#pragma once

#include <QPlainTextEdit>
#include <QStringList>

namespace RelayDesk::Ui {

// An IP list (a key's or user's allow-list, the trusted proxies) edited as text, one IPv4/IPv6 address or CIDR a
// line. validationError() names the first line Cidr cannot parse, so nothing is written until every line is
// right; isEdited() tells a refresh whether it may replace the text (never while the user's edit is unapplied).
class IpListEdit final : public QPlainTextEdit
{
    Q_OBJECT

public:
    explicit IpListEdit(QWidget *parent = nullptr);

    // The stored list (canonical CIDRs); replaces the text and marks it unedited.
    void setEntries(const QStringList &entries);
    // The non-empty lines, trimmed, as typed.
    QStringList entries() const;
    // Empty when every line parses; else "Line N: … is not …".
    QString validationError() const;
    bool isEdited() const { return entries() != m_loaded; }

private:
    QStringList m_loaded;
};

} // namespace RelayDesk::Ui
