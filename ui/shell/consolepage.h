#pragma once

#include "widgets/money.h"

#include <QWidget>

namespace RelayDesk::Ui {

// A page of the main window. MainWindow talks to every page through this small interface: refresh on
// F5, persist the column/splitter layout in QSettings, and switch the money display.
class ConsolePage : public QWidget
{
    Q_OBJECT

public:
    using QWidget::QWidget;

    virtual void refresh() {}
    virtual QByteArray saveState() const { return {}; }
    virtual void restoreState(const QByteArray &) {}
    virtual void setCurrencyDisplay(CurrencyDisplay) {}
};

// Shown for a page whose core service is not available (e.g. no database); says what is missing.
class UnavailablePage final : public ConsolePage
{
    Q_OBJECT

public:
    UnavailablePage(const QString &title, const QString &reason, QWidget *parent = nullptr);
};

} // namespace RelayDesk::Ui
