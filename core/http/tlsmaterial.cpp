#include "http/tlsmaterial.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>
#include <QSslCertificate>
#include <QSslKey>

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>

namespace RelayDesk::Relay {

namespace {

constexpr int kValidityDays = 825; // the longest validity common clients accept for TLS server certs

template<typename T, void (*Free)(T *)>
struct OpenSslDeleter
{
    void operator()(T *p) const { Free(p); }
};
using Key = std::unique_ptr<EVP_PKEY, OpenSslDeleter<EVP_PKEY, EVP_PKEY_free>>;
using Cert = std::unique_ptr<X509, OpenSslDeleter<X509, X509_free>>;
using Bio = std::unique_ptr<BIO, OpenSslDeleter<BIO, BIO_free_all>>;
using BigNum = std::unique_ptr<BIGNUM, OpenSslDeleter<BIGNUM, BN_free>>;

bool addExtension(X509 *cert, int nid, const char *value)
{
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
    X509_EXTENSION *extension = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    if (!extension)
        return false;
    const bool ok = X509_add_ext(cert, extension, -1) == 1;
    X509_EXTENSION_free(extension);
    return ok;
}

bool randomSerial(X509 *cert)
{
    BigNum serial(BN_new());
    if (!serial || BN_rand(serial.get(), 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1)
        return false;
    return BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert)) != nullptr;
}

Cert makeSelfSigned(EVP_PKEY *key)
{
    Cert cert(X509_new());
    if (!cert || X509_set_version(cert.get(), 2) != 1 || !randomSerial(cert.get()))
        return {};
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600); // tolerate small clock skew
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), long(kValidityDays) * 24 * 3600);
    X509_NAME *name = X509_get_subject_name(cert.get());
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char *>("RelayDesk"), -1, -1, 0);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char *>("RelayDesk local relay"), -1, -1, 0);
    X509_set_issuer_name(cert.get(), name);
    X509_set_pubkey(cert.get(), key);
    // Like `openssl req -x509`: a self-signed CA certificate, so clients can add it as a trust anchor.
    const bool extensionsOk = addExtension(cert.get(), NID_basic_constraints, "critical,CA:TRUE")
        && addExtension(cert.get(), NID_subject_key_identifier, "hash")
        && addExtension(cert.get(), NID_authority_key_identifier, "keyid:always")
        && addExtension(cert.get(), NID_ext_key_usage, "serverAuth")
        && addExtension(cert.get(), NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1,IP:::1");
    if (!extensionsOk || X509_sign(cert.get(), key, EVP_sha256()) <= 0)
        return {};
    return cert;
}

QByteArray toPem(const std::function<int(BIO *)> &write)
{
    Bio bio(BIO_new(BIO_s_mem()));
    if (!bio || write(bio.get()) != 1)
        return {};
    char *data = nullptr;
    const long size = BIO_get_mem_data(bio.get(), &data);
    return QByteArray(data, size);
}

bool writeFile(const QString &path, const QByteArray &content, QFile::Permissions permissions, QString *error)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || !file.setPermissions(permissions) || file.write(content) != content.size()
        || !file.commit()) {
        *error = QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

} // namespace

TlsMaterial::Paths TlsMaterial::defaultPaths(const QString &dataDir)
{
    const QDir tls(QDir(dataDir).filePath(QStringLiteral("tls")));
    return {tls.filePath(QStringLiteral("relaydesk-cert.pem")), tls.filePath(QStringLiteral("relaydesk-key.pem"))};
}

bool TlsMaterial::generate(const Paths &paths, QString *error)
{
    Key key(EVP_EC_gen("P-256"));
    if (!key) {
        *error = QStringLiteral("OpenSSL could not generate an EC key");
        return false;
    }
    const Cert cert = makeSelfSigned(key.get());
    if (!cert) {
        *error = QStringLiteral("OpenSSL could not create the self-signed certificate");
        return false;
    }
    const QByteArray certPem = toPem([&](BIO *bio) { return PEM_write_bio_X509(bio, cert.get()); });
    const QByteArray keyPem = toPem([&](BIO *bio) {
        return PEM_write_bio_PrivateKey(bio, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
    });
    if (certPem.isEmpty() || keyPem.isEmpty()) {
        *error = QStringLiteral("OpenSSL could not encode the certificate or key as PEM");
        return false;
    }
    for (const QString &path : {paths.certificate, paths.key}) {
        if (!QDir().mkpath(QFileInfo(path).absolutePath())) {
            *error = QStringLiteral("cannot create directory for %1").arg(path);
            return false;
        }
    }
    // The key is written first and readable by the owner only; the certificate is public.
    return writeFile(paths.key, keyPem, QFile::ReadOwner | QFile::WriteOwner, error)
        && writeFile(paths.certificate, certPem,
                     QFile::ReadOwner | QFile::WriteOwner | QFile::ReadGroup | QFile::ReadOther, error);
}

std::optional<QSslConfiguration> TlsMaterial::load(const Paths &paths, QString *error)
{
    const QList<QSslCertificate> chain = QSslCertificate::fromPath(paths.certificate, QSsl::Pem);
    if (chain.isEmpty()) {
        *error = QStringLiteral("no PEM certificate in %1").arg(paths.certificate);
        return std::nullopt;
    }
    QFile keyFile(paths.key);
    if (!keyFile.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read key %1: %2").arg(paths.key, keyFile.errorString());
        return std::nullopt;
    }
    const QByteArray keyPem = keyFile.readAll();
    QSslKey key(keyPem, QSsl::Ec, QSsl::Pem);
    if (key.isNull())
        key = QSslKey(keyPem, QSsl::Rsa, QSsl::Pem);
    if (key.isNull()) {
        *error = QStringLiteral("%1 holds no usable EC or RSA private key").arg(paths.key);
        return std::nullopt;
    }
    QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
    configuration.setLocalCertificateChain(chain);
    configuration.setPrivateKey(key);
    configuration.setPeerVerifyMode(QSslSocket::VerifyNone); // clients are not asked for certificates
    configuration.setProtocol(QSsl::TlsV1_2OrLater);
    return configuration;
}

std::optional<QSslConfiguration> TlsMaterial::loadOrCreate(const Paths &paths, QString *error)
{
    const bool haveCert = QFileInfo::exists(paths.certificate);
    const bool haveKey = QFileInfo::exists(paths.key);
    if (haveCert != haveKey) {
        *error = QStringLiteral("found only one of %1 and %2; supply both or remove the other")
                     .arg(paths.certificate, paths.key);
        return std::nullopt;
    }
    if (!haveCert && !generate(paths, error))
        return std::nullopt;
    return load(paths, error);
}

} // namespace RelayDesk::Relay
