#pragma once

#include "live/sessionpricer.h"

#include <QString>


namespace RelayDesk::Monitor { class SessionRegistry; }
namespace RelayDesk::Service { class AdminService; }
namespace RelayDesk::Billing { class PricingService; }

namespace RelayDesk::Ui {

// Everything the console needs from the running core. The app (app/relaydesk/main.cpp) builds it; every
// member may be left empty and the pages that need it then show what is missing instead of failing.
// The console reads and writes only through Service::AdminService, on the service's worker thread (the GUI
// thread never waits on SQL), and listens to its changed() signal; it never builds repositories or issues SQL.
struct ConsoleServices
{
    QString dataDir;
    QString instanceId;                          // this process's relay instance (its sessions come from `sessions`)
    QString settingsFile;                        // empty = the user's QSettings (tests and screenshots pass a temp file)
    Monitor::SessionRegistry *sessions = nullptr; // must outlive the window
    Service::AdminService *admin = nullptr;      // users, keys, channels, logs, dashboard; must outlive the window
    Billing::PricingService *pricing = nullptr;  // pricing page (edit + Apply); must outlive the window
    SessionPricer pricer;                        // live detail money bars; empty = pricerFromService(pricing)
};

} // namespace RelayDesk::Ui
