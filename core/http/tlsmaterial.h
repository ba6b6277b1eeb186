#pragma once

#include <QSslConfiguration>
#include <QString>

#include <optional>

namespace RelayDesk::Relay {

// The certificate and key the relay serves HTTPS/WSS with.
//
// The official OpenAI SDKs open Realtime only over wss://, so a local relay needs TLS. At first use a
// self-signed certificate (SAN 127.0.0.1, ::1 and localhost; ECDSA P-256; SHA-256) is generated with
// OpenSSL's library and kept at <dataDir>/tls/relaydesk-cert.pem, the key beside it with mode 0600.
// Clients trust it through NODE_EXTRA_CA_CERTS / SSL_CERT_FILE. A user-supplied pair replaces it.
class TlsMaterial final
{
public:
    struct Paths
    {
        QString certificate;
        QString key;
    };

    static Paths defaultPaths(const QString &dataDir);

    // Loads the pair at `paths`, generating it first when neither file exists.
    static std::optional<QSslConfiguration> loadOrCreate(const Paths &paths, QString *error);
    // Loads a pair (PEM certificate chain, PEM private key: EC or RSA). No generation.
    static std::optional<QSslConfiguration> load(const Paths &paths, QString *error);
    // Writes a fresh self-signed certificate and key, replacing any existing files.
    static bool generate(const Paths &paths, QString *error);
};

} // namespace RelayDesk::Relay
