#include "secretbox.h"

#include <QFile>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

namespace RelayDesk::Store {
namespace {

constexpr QLatin1StringView kPrefix("enc:v1:");

using CipherContext = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

CipherContext newContext()
{
    return CipherContext(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
}

const unsigned char *bytes(const QByteArray &a)
{
    return reinterpret_cast<const unsigned char *>(a.constData());
}

unsigned char *bytes(QByteArray &a)
{
    return reinterpret_cast<unsigned char *>(a.data());
}

QString systemError()
{
    return QString::fromLocal8Bit(std::strerror(errno));
}

bool writeAll(int fd, const QByteArray &data)
{
    qsizetype done = 0;
    while (done < data.size()) {
        const ssize_t n = ::write(fd, data.constData() + done, size_t(data.size() - done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        done += n;
    }
    return true;
}

// Writes a fresh key to a private temporary file, then link()s it into place: link never replaces an
// existing file, so when two processes create the key at once exactly one key wins and both read it.
Status createKeyFile(const QString &keyFile)
{
    QByteArray key(SecretBox::kKeySize, Qt::Uninitialized);
    if (RAND_bytes(bytes(key), int(key.size())) != 1)
        return Status::failure(QStringLiteral("cannot generate a secret key: the CSPRNG failed"));
    const QByteArray target = QFile::encodeName(keyFile);
    QByteArray suffix(8, Qt::Uninitialized);
    if (RAND_bytes(bytes(suffix), int(suffix.size())) != 1)
        return Status::failure(QStringLiteral("cannot generate a secret key: the CSPRNG failed"));
    const QByteArray temp = target + ".tmp-" + suffix.toHex();
    const int fd = ::open(temp.constData(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, S_IRUSR | S_IWUSR);
    if (fd < 0)
        return Status::failure(QStringLiteral("cannot create secret key file %1: %2").arg(keyFile, systemError()));
    const bool written = ::fchmod(fd, S_IRUSR | S_IWUSR) == 0 && writeAll(fd, key.toHex() + '\n') && ::fsync(fd) == 0;
    ::close(fd);
    const bool linked = written && (::link(temp.constData(), target.constData()) == 0 || errno == EEXIST);
    const QString error = systemError();
    ::unlink(temp.constData());
    if (!linked)
        return Status::failure(QStringLiteral("cannot create secret key file %1: %2").arg(keyFile, error));
    return {};
}

} // namespace

SecretBox::SecretBox(QByteArray key, QString keyFile) : m_key(std::move(key)), m_keyFile(std::move(keyFile))
{
    Q_ASSERT(m_key.size() == kKeySize);
}

Result<SecretBox> SecretBox::load(const QString &keyFile, Creation creation)
{
    using R = Result<SecretBox>;
    if (creation == CreateIfMissing && !QFile::exists(keyFile))
        if (Status created = createKeyFile(keyFile); !created)
            return R::failure(created.error());
    QFile file(keyFile);
    if (!file.open(QIODevice::ReadOnly))
        return R::failure(QStringLiteral("cannot read secret key file %1: %2").arg(keyFile, file.errorString()));
    const QByteArray text = file.read(1024).trimmed();
    const QByteArray key = QByteArray::fromHex(text);
    if (text.size() != 2 * kKeySize || key.size() != kKeySize || key.toHex() != text.toLower())
        return R::failure(QStringLiteral("secret key file %1 must hold %2 hexadecimal digits "
                                         "(e.g. `openssl rand -hex 32`)").arg(keyFile).arg(2 * kKeySize));
    if (struct stat st{}; ::fstat(file.handle(), &st) == 0 && (st.st_mode & 077) != 0)
        std::fprintf(stderr, "relaydesk: warning: secret key file %s is readable by other users; chmod 600 it\n",
                     QFile::encodeName(keyFile).constData());
    return SecretBox(key, keyFile);
}

bool SecretBox::isSealed(const QString &stored)
{
    return stored.startsWith(kPrefix);
}

Result<QString> SecretBox::seal(const QString &plain) const
{
    using R = Result<QString>;
    const QByteArray message = plain.toUtf8();
    QByteArray out(kNonceSize + message.size() + kTagSize, Qt::Uninitialized);
    unsigned char *nonce = bytes(out);
    unsigned char *cipher = nonce + kNonceSize;
    unsigned char *tag = cipher + message.size();
    const QByteArray aad = QByteArray(kPrefix.data(), kPrefix.size());
    CipherContext ctx = newContext();
    int len = 0;
    const bool ok = ctx && RAND_bytes(nonce, kNonceSize) == 1
        && EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) == 1
        && EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, kNonceSize, nullptr) == 1
        && EVP_EncryptInit_ex(ctx.get(), nullptr, nullptr, bytes(m_key), nonce) == 1
        && EVP_EncryptUpdate(ctx.get(), nullptr, &len, bytes(aad), int(aad.size())) == 1
        && EVP_EncryptUpdate(ctx.get(), cipher, &len, bytes(message), int(message.size())) == 1
        && EVP_EncryptFinal_ex(ctx.get(), cipher + len, &len) == 1
        && EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagSize, tag) == 1;
    if (!ok)
        return R::failure(QStringLiteral("cannot encrypt a secret with key file %1").arg(m_keyFile));
    return QString(QString(kPrefix) + QString::fromLatin1(out.toBase64()));
}

Result<QString> SecretBox::open(const QString &stored) const
{
    using R = Result<QString>;
    const auto failed = [this](const char *why) {
        return R::failure(QStringLiteral("cannot decrypt a stored secret with key file %1 (%2): the key file is "
                                         "not the one the secret was encrypted with, or the value was altered")
                              .arg(m_keyFile, QLatin1String(why)));
    };
    if (!isSealed(stored))
        return failed("not an encrypted value");
    const auto decoded = QByteArray::fromBase64Encoding(stored.mid(kPrefix.size()).toLatin1(),
                                                        QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded || decoded.decoded.size() < kNonceSize + kTagSize)
        return failed("malformed value");
    QByteArray raw = decoded.decoded;
    const int cipherSize = int(raw.size()) - kNonceSize - kTagSize;
    unsigned char *nonce = bytes(raw);
    unsigned char *cipher = nonce + kNonceSize;
    unsigned char *tag = cipher + cipherSize;
    QByteArray plain(cipherSize, Qt::Uninitialized);
    const QByteArray aad = QByteArray(kPrefix.data(), kPrefix.size());
    CipherContext ctx = newContext();
    int len = 0;
    const bool ok = ctx && EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) == 1
        && EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, kNonceSize, nullptr) == 1
        && EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr, bytes(m_key), nonce) == 1
        && EVP_DecryptUpdate(ctx.get(), nullptr, &len, bytes(aad), int(aad.size())) == 1
        && EVP_DecryptUpdate(ctx.get(), bytes(plain), &len, cipher, cipherSize) == 1
        && EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagSize, tag) == 1
        && EVP_DecryptFinal_ex(ctx.get(), bytes(plain) + len, &len) == 1;
    if (!ok)
        return failed("authentication failed");
    return QString::fromUtf8(plain);
}

} // namespace RelayDesk::Store
