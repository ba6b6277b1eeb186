#pragma once

#include "live/sessionpricer.h"

#include <QString>

#include <functional>
#include <memory>

namespace RelayDesk::Monitor { class SessionRegistry; }
namespace RelayDesk::Store { class Database; }
namespace RelayDesk::Billing { class PricingService; }

namespace RelayDesk::Ui {

// Everything the console needs from the running core. The app (app/relaydesk/main.cpp) builds it; every
// member may be left empty and the pages that need it then show what is missing instead of failing.
// The console only calls core classes (repositories, services) and listens to their signals — it never
// issues SQL itself.
struct ConsoleServices
{
    QString dataDir;
    QString settingsFile;                        // empty = the user's QSettings (tests and screenshots pass a temp file)
    Monitor::SessionRegistry *sessions = nullptr; // must outlive the window
    std::shared_ptr<Store::Database> database;   // users, keys, channels, logs, dashboard
    Billing::PricingService *pricing = nullptr;  // pricing page (edit + Apply); must outlive the window
    SessionPricer pricer;                        // live detail money bars; empty = pricerFromService(pricing)
    // Called after the console edited a user, a key or the channels, so the relay drops its caches
    // (Service::Runtime::invalidateUser / invalidateKey / invalidateChannels). Optional.
    std::function<void(qint64 userId)> userChanged;
    std::function<void(qint64 keyId)> keyChanged;
    std::function<void()> channelsChanged;
};

} // namespace RelayDesk::Ui
