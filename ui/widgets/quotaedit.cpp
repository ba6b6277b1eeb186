#include "widgets/quotaedit.h"

#include "widgets/money.h"

#include "billing/quotamath.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QRegularExpression>

namespace RelayDesk::Ui {

QuotaEdit::QuotaEdit(QWidget *parent)
    : QWidget(parent)
{
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_dollars = new QLineEdit(this);
    m_dollars->setObjectName(QStringLiteral("dollars"));
    m_units = new QLineEdit(this);
    m_units->setObjectName(QStringLiteral("quotaUnits"));
    m_dollars->setToolTip(tr("Amount in US dollars"));
    m_units->setToolTip(tr("The same amount in quota units (500 000 = $1)"));
    layout->addWidget(new QLabel(QStringLiteral("$"), this));
    layout->addWidget(m_dollars, 1);
    layout->addWidget(new QLabel(tr("= quota"), this));
    layout->addWidget(m_units, 1);
    connect(m_dollars, &QLineEdit::textEdited, this, &QuotaEdit::fromDollars);
    connect(m_units, &QLineEdit::textEdited, this, &QuotaEdit::fromUnits);
    setQuota(0);
}

void QuotaEdit::setQuota(qint64 quota)
{
    m_quota = quota;
    m_valid = true;
    m_dollars->setText(QString::number(double(quota) / double(Billing::QuotaMath::kQuotaPerUnit), 'f', 6).remove(QRegularExpression(QStringLiteral("\\.?0+$"))));
    m_units->setText(QString::number(quota));
    emit quotaChanged(quota);
}

void QuotaEdit::fromDollars()
{
    qint64 q = 0;
    m_valid = parseDollars(m_dollars->text(), &q);
    m_dollars->setStyleSheet(m_valid ? QString() : QStringLiteral("color: #b03a2e"));
    if (!m_valid)
        return;
    m_quota = q;
    m_units->setText(QString::number(q));
    emit quotaChanged(q);
}

void QuotaEdit::fromUnits()
{
    bool ok = false;
    const qint64 q = m_units->text().trimmed().toLongLong(&ok);
    m_valid = ok && q >= 0;
    m_units->setStyleSheet(m_valid ? QString() : QStringLiteral("color: #b03a2e"));
    if (!m_valid)
        return;
    m_quota = q;
    m_dollars->setText(QString::number(double(q) / double(Billing::QuotaMath::kQuotaPerUnit), 'f', 6).remove(QRegularExpression(QStringLiteral("\\.?0+$"))));
    emit quotaChanged(q);
}

} // namespace RelayDesk::Ui
