#include "mainwindow.h"

#include <QApplication>
#include <QLabel>
#include <QStatusBar>
#include <QTimer>

namespace RelayDesk::Ui {

MainWindow::MainWindow(const QString &dataDir, QWidget *parent)
    : QMainWindow(parent)
    , m_dataDir(dataDir)
{
    setWindowTitle(tr("RelayDesk"));
    auto *label = new QLabel(tr("RelayDesk console"), this);
    label->setAlignment(Qt::AlignCenter);
    setCentralWidget(label);
    statusBar()->showMessage(tr("Data: %1").arg(m_dataDir));
    resize(1100, 700);
}

void MainWindow::quitAfter(int milliseconds)
{
    QTimer::singleShot(milliseconds, this, [this] {
        close();
        QApplication::quit();
    });
}

} // namespace RelayDesk::Ui
