#include "users/keydialog.h"

#include <QApplication>
#include <QClipboard>
#include <QCoreApplication>
#include <QDialog>
#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace RelayDesk::Ui {

void showKeyOnce(QWidget *parent, const QString &title, const QString &plainKey, const QString &hint, const QString &extra)
{
    QDialog d(parent);
    d.setWindowTitle(title);
    auto *layout = new QVBoxLayout(&d);
    auto *warning = new QLabel(QCoreApplication::translate("RelayDesk::Ui::UsersKeysPage",
                                                       "Copy this key now. RelayDesk keeps only a hash of it, so it will not be shown again "
                                                       "— afterwards you will only see %1.").arg(hint), &d);
    warning->setWordWrap(true);
    auto *key = new QLineEdit(plainKey, &d);
    key->setObjectName(QStringLiteral("plainKey"));
    key->setReadOnly(true);
    key->selectAll();
    QFont mono(QStringLiteral("monospace"));
    mono.setStyleHint(QFont::TypeWriter);
    key->setFont(mono);
    key->setMinimumWidth(key->fontMetrics().horizontalAdvance(plainKey) + 24);
    auto *copy = new QPushButton(QCoreApplication::translate("RelayDesk::Ui::UsersKeysPage", "Copy"), &d);
    auto *row = new QHBoxLayout;
    row->addWidget(key, 1);
    row->addWidget(copy);
    auto *close = new QDialogButtonBox(QDialogButtonBox::Close, &d);
    layout->addWidget(warning);
    layout->addLayout(row);
    if (!extra.isEmpty()) {
        auto *more = new QLabel(extra, &d);
        more->setWordWrap(true);
        more->setTextInteractionFlags(Qt::TextBrowserInteraction);
        layout->addWidget(more);
    }
    layout->addWidget(close);
    QObject::connect(copy, &QPushButton::clicked, &d, [key, copy] {
        QApplication::clipboard()->setText(key->text());
        copy->setText(QCoreApplication::translate("RelayDesk::Ui::UsersKeysPage", "Copied"));
    });
    QObject::connect(close, &QDialogButtonBox::rejected, &d, &QDialog::reject);
    d.exec();
}

} // namespace RelayDesk::Ui
