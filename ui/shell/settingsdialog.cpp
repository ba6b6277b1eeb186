#include "shell/settingsdialog.h"

#include <QComboBox>
#include <QDir>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHostAddress>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QSpinBox>
#include <QVBoxLayout>

namespace RelayDesk::Ui {

SettingsDialog::SettingsDialog(const ConsolePreferences &current, QWidget *parent)
    : QDialog(parent)
    , m_initial(current)
{
    setWindowTitle(tr("Settings"));
    auto *layout = new QVBoxLayout(this);
    auto *form = new QFormLayout;

    m_address = new QLineEdit(current.listenAddress, this);
    m_address->setObjectName(QStringLiteral("listenAddress"));
    m_address->setToolTip(tr("127.0.0.1 accepts local clients only; 0.0.0.0 accepts clients from the network"));
    m_port = new QSpinBox(this);
    m_port->setObjectName(QStringLiteral("listenPort"));
    m_port->setRange(1, 65535);
    m_port->setValue(current.listenPort);
    auto *listenRow = new QHBoxLayout;
    listenRow->addWidget(m_address, 1);
    listenRow->addWidget(new QLabel(tr("Port:"), this));
    listenRow->addWidget(m_port);
    form->addRow(tr("Listen address:"), listenRow);

    m_dataDir = new QLineEdit(current.dataDir, this);
    m_dataDir->setObjectName(QStringLiteral("dataDir"));
    m_dataDir->setPlaceholderText(tr("Default location"));
    auto *browse = new QPushButton(tr("Browse…"), this);
    auto *dataRow = new QHBoxLayout;
    dataRow->addWidget(m_dataDir, 1);
    dataRow->addWidget(browse);
    form->addRow(tr("Data directory:"), dataRow);

    m_currency = new QComboBox(this);
    m_currency->setObjectName(QStringLiteral("currency"));
    m_currency->addItem(tr("US dollars ($)"), int(CurrencyDisplay::Dollars));
    m_currency->addItem(tr("Quota units (500 000 = $1)"), int(CurrencyDisplay::QuotaUnits));
    m_currency->setCurrentIndex(current.currency == CurrencyDisplay::QuotaUnits ? 1 : 0);
    form->addRow(tr("Show money as:"), m_currency);

    m_language = new QComboBox(this);
    m_language->setObjectName(QStringLiteral("language"));
    m_language->addItem(tr("System default"), QString());
    m_language->addItem(QStringLiteral("English"), QStringLiteral("en"));
    m_language->addItem(QStringLiteral("简体中文"), QStringLiteral("zh_CN"));
    m_language->setCurrentIndex(std::max(0, m_language->findData(current.language)));
    form->addRow(tr("Language:"), m_language);
    layout->addLayout(form);

    m_note = new QLabel(tr("The language and money display change immediately. A new listen address, port or "
                           "data directory takes effect the next time RelayDesk starts."),
                        this);
    m_note->setWordWrap(true);
    layout->addWidget(m_note);
    m_error = new QLabel(this);
    m_error->setObjectName(QStringLiteral("settingsError"));
    m_error->setStyleSheet(QStringLiteral("color: #b03a2e"));
    m_error->setWordWrap(true);
    layout->addWidget(m_error);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Data directory"), m_dataDir->text());
        if (!dir.isEmpty())
            m_dataDir->setText(dir);
    });
    connect(m_address, &QLineEdit::textChanged, this, &SettingsDialog::revalidate);
    connect(m_dataDir, &QLineEdit::textChanged, this, &SettingsDialog::revalidate);
    revalidate();
    resize(520, sizeHint().height());
}

ConsolePreferences SettingsDialog::preferences() const
{
    ConsolePreferences p = m_initial;
    p.listenAddress = m_address->text().trimmed();
    p.listenPort = m_port->value();
    p.dataDir = m_dataDir->text().trimmed();
    p.currency = CurrencyDisplay(m_currency->currentData().toInt());
    p.language = m_language->currentData().toString();
    return p;
}

QString SettingsDialog::validationError() const
{
    const QString address = m_address->text().trimmed();
    static const QRegularExpression hostName(QStringLiteral("^[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}))*$"));
    if (address.isEmpty())
        return tr("The listen address is empty.");
    if (QHostAddress(address).isNull() && !hostName.match(address).hasMatch())
        return tr("\"%1\" is neither an IP address nor a host name.").arg(address);
    const QString dir = m_dataDir->text().trimmed();
    if (!dir.isEmpty() && !QDir::isAbsolutePath(dir))
        return tr("The data directory must be an absolute path.");
    return {};
}

void SettingsDialog::revalidate()
{
    const QString error = validationError();
    m_error->setText(error);
    m_error->setVisible(!error.isEmpty());
    if (auto *box = findChild<QDialogButtonBox *>())
        box->button(QDialogButtonBox::Ok)->setEnabled(error.isEmpty());
}

} // namespace RelayDesk::Ui
