#pragma once

#include "shell/consolepage.h"

#include "store/channelhealthrepository.h"
#include "store/records.h"
#include "store/result.h"

#include <QAbstractTableModel>

#include <functional>
#include <memory>

class QLabel;
class QTableView;

namespace RelayDesk::Store { class Database; }

namespace RelayDesk::Ui {

// Upstream channels read through ChannelRepository, with their health from ChannelHealthRepository (written by
// the relay, this process's or another's). The secret is never shown in full.
class ChannelsModel final : public QAbstractTableModel
{
    Q_OBJECT

public:
    // Health last: saved header layouts from before it still line up.
    enum Column { Id, Name, Type, BaseUrl, Secret, Models, Groups, Mapping, Priority, Weight, Status, Used, Health, ColumnCount };
    enum Role { SortRole = Qt::UserRole, IdRole };

    explicit ChannelsModel(std::shared_ptr<Store::Database> db, QObject *parent = nullptr);
    void reload();
    void setCurrencyDisplay(CurrencyDisplay display);
    const Store::Channel *channelAt(int row) const;
    // What the relay last recorded for the channel (healthy when nothing).
    Store::ChannelHealth healthOf(qint64 channelId) const;
    // "healthy", "unhealthy · retry in 40 s", "probing" (now: unix ms).
    static QString healthText(const Store::ChannelHealth &health, qint64 nowMs);
    int rowOf(qint64 id) const;
    // "sk-ab…c9" style: enough to tell secrets apart, never enough to use one.
    static QString maskSecret(const QString &secret);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    std::shared_ptr<Store::Database> m_db;
    QList<Store::Channel> m_rows;
    QHash<qint64, Store::ChannelHealth> m_health;
    CurrencyDisplay m_currency = CurrencyDisplay::Dollars;
};

// Runs a real minimal request against a channel and reports latency or the error (asynchronously;
// `done(ok, message)` on the GUI thread).
using ChannelTester = std::function<void(const Store::Channel &, QObject *context, std::function<void(bool ok, QString message)> done)>;
// The default tester: POST {base}/v1/chat/completions with max_tokens 1 to the channel's first model.
ChannelTester httpChannelTester();

// The Channels page: list, add/edit (validated JSON model mapping), enable/disable, remove, Test.
class ChannelsPage final : public ConsolePage
{
    Q_OBJECT

public:
    explicit ChannelsPage(std::shared_ptr<Store::Database> db, ChannelTester tester = httpChannelTester(), QWidget *parent = nullptr);

    ChannelsModel *model() const { return m_model; }
    // Run after any change (e.g. Service::Runtime::invalidateChannels).
    void setInvalidation(std::function<void()> channelsChanged) { m_changed = std::move(channelsChanged); }
    // Validates (name, URL, models, weight, mapping) and writes; id 0 creates.
    Store::Result<Store::Channel> save(const Store::Channel &channel);
    Store::Status setEnabled(qint64 id, bool enabled);
    Store::Status remove(qint64 id);
    // "" when the text is a JSON object of model → upstream model strings, else why not.
    static QString mappingError(const QString &json);
    qint64 selectedChannel() const;

    void refresh() override;
    void setCurrencyDisplay(CurrencyDisplay display) override;
    QByteArray saveState() const override;
    void restoreState(const QByteArray &state) override;

private:
    void editDialog(bool create);
    void report(const QString &text, bool error);

    std::shared_ptr<Store::Database> m_db;
    ChannelTester m_tester;
    std::function<void()> m_changed;
    ChannelsModel *m_model = nullptr;
    QTableView *m_table = nullptr;
    QLabel *m_message = nullptr;
};

} // namespace RelayDesk::Ui
