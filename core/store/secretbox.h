#pragma once

#include "result.h"

#include <QByteArray>
#include <QString>

namespace RelayDesk::Store {

// Seals short secrets (channel API keys) for storage: AES-256-GCM with a random 96-bit nonce per value.
// The stored form is "enc:v1:" + base64(nonce | ciphertext | tag); the prefix is authenticated too, so a
// value cannot be moved to another format version. The 32-byte key lives in a key file (64 hex digits,
// mode 0600). Every failure names the key file and never echoes the secret.
class SecretBox final
{
public:
    static constexpr int kKeySize = 32;
    static constexpr int kNonceSize = 12;
    static constexpr int kTagSize = 16;

    enum Creation { MustExist, CreateIfMissing };

    // key: exactly kKeySize bytes. keyFile: where it came from, for error messages.
    SecretBox(QByteArray key, QString keyFile);

    // Reads the key from keyFile. With CreateIfMissing a missing file is created first with 32 bytes from
    // the CSPRNG, mode 0600; when two processes race, both end up with the one that was linked first.
    static Result<SecretBox> load(const QString &keyFile, Creation creation);

    // True for a value in the sealed form (it must then open, or it is an error; never used as is).
    static bool isSealed(const QString &stored);

    Result<QString> seal(const QString &plain) const;
    Result<QString> open(const QString &stored) const;

    const QString &keyFile() const { return m_keyFile; }

private:
    QByteArray m_key;
    QString m_keyFile;
};

} // namespace RelayDesk::Store
