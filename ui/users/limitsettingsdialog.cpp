#include "users/limitsettingsdialog.h"

#include "shell/deliverlater.h"
#include "users/iplistedit.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QPushButton>
#include <QTimeZone>

namespace RelayDesk::Ui {

LimitSettingsDialog::LimitSettingsDialog(Service::AdminService *admin, QWidget *parent)
    : QDialog(parent)
    , m_admin(admin)
{
    setWindowTitle(tr("Limit settings"));
    auto *form = new QFormLayout(this);
    m_message = new QLabel(this);
    m_message->setObjectName(QStringLiteral("limitSettingsMessage"));
    m_message->setWordWrap(true);
    m_message->setStyleSheet(QStringLiteral("QLabel { background: #fdecea; color: #8a1f11; padding: 4px; border-radius: 3px; }"));
    m_message->hide();
    m_zone = new QComboBox(this);
    m_zone->setObjectName(QStringLiteral("budgetTimeZone"));
    m_zone->setEditable(true);
    for (const QByteArray &id : QTimeZone::availableTimeZoneIds())
        m_zone->addItem(QString::fromUtf8(id));
    m_zone->setToolTip(tr("Day, week and month budget windows of every user and key start at midnight in this zone"));
    m_proxies = new IpListEdit(this);
    m_proxies->setObjectName(QStringLiteral("trustedProxies"));
    m_proxies->setPlaceholderText(tr("None: the address checked is always the connection's.\nOr one proxy per line, e.g. 10.0.0.0/8"));
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    form->addRow(m_message);
    form->addRow(tr("Budget time zone:"), m_zone);
    form->addRow(tr("Trusted proxies:"), m_proxies);
    form->addRow(new QLabel(tr("X-Forwarded-For is believed only when the connection comes from a trusted proxy."), this));
    form->addRow(buttons);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(buttons, &QDialogButtonBox::accepted, this, [this] {
        apply().then(this, [this](const Store::Status &status) {
            if (status)
                accept();
        });
    });
    if (!m_admin)
        return;
    struct Loaded
    {
        QString zone;
        QStringList proxies;
    };
    deliverLater(m_admin->async([](Service::AdminService &s) { return Loaded{s.budgetTimeZone(), s.trustedProxies()}; }),
                 this, [this](const Loaded &l) {
            m_loadedZone = l.zone;
            m_zone->setCurrentText(l.zone);
            m_proxies->setEntries(l.proxies);
            emit loaded();
        });
}

QString LimitSettingsDialog::message() const
{
    return m_message->isHidden() ? QString() : m_message->text();
}

QFuture<Store::Status> LimitSettingsDialog::apply()
{
    const QString zone = m_zone->currentText().trimmed();
    QString error = m_proxies->validationError();
    if (error.isEmpty() && !QTimeZone::isTimeZoneIdAvailable(zone.toUtf8()))
        error = tr("\"%1\" is not a time zone (an IANA name like Europe/Berlin).").arg(zone);
    if (error.isEmpty() && !m_admin)
        error = tr("No database is open.");
    if (!error.isEmpty()) {
        showMessage(error);
        return QtFuture::makeReadyFuture(Store::Status::failure(error));
    }
    const std::optional<QString> newZone = zone != m_loadedZone ? std::optional(zone) : std::nullopt;
    const std::optional<QStringList> proxies = m_proxies->isEdited() ? std::optional(m_proxies->entries()) : std::nullopt;
    return m_admin
        ->async([newZone, proxies](Service::AdminService &s) -> Store::Status {
            if (newZone)
                if (const auto r = s.setBudgetTimeZone(*newZone); !r)
                    return Store::Status::failure(r.error());
            if (proxies)
                if (const auto r = s.setTrustedProxies(*proxies); !r)
                    return Store::Status::failure(r.error());
            return {};
        })
        .then(this, [this, zone, proxies](const Store::Status &status) {
            showMessage(status ? QString() : status.error());
            if (status) {
                m_loadedZone = zone;
                if (proxies)
                    m_proxies->setEntries(*proxies);
            }
            return status;
        });
}

void LimitSettingsDialog::showMessage(const QString &error)
{
    m_message->setText(error);
    m_message->setVisible(!error.isEmpty());
}

} // namespace RelayDesk::Ui
