#include "ra/card_production.hpp"

#include "pki/certificate.hpp"
#include "pki/csr_builder.hpp"
#include "pki/key.hpp"
#include "pki/pkcs12.hpp"

#include <fstream>
#include <functional>
#include <sstream>
#include <system_error>
#include <thread>

namespace ra {

namespace fs = std::filesystem;

namespace {

/// The contents of `file`; nullopt if it does not exist.
core::Result<std::optional<std::string>> readFile(const fs::path& file) {
  std::error_code ec;
  if (!fs::exists(file, ec)) return std::optional<std::string>();
  std::ifstream in(file, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in) return core::makeError(core::ErrorKind::internal, "cannot read " + file.string());
  return std::optional<std::string>(text.str());
}

/// Writes `text` to `file` readable by the owner only (a key file, as the demo users' keys). With
/// `keep_existing` a file that is there already stays (first writer wins) and `false` is returned.
core::Result<bool> writeFile(const fs::path& file, const std::string& text,
                             bool keep_existing = false) {
  std::error_code ec;
  fs::create_directories(file.parent_path(), ec);
  // A partial file per thread, so two writers at once never write into one.
  const fs::path partial = file.string() + ".part-" +
                           std::to_string(std::hash<std::thread::id>{}(std::this_thread::get_id()));
  {
    std::ofstream out(partial, std::ios::binary | std::ios::trunc);
    fs::permissions(partial, fs::perms::owner_read | fs::perms::owner_write,
                    fs::perm_options::replace, ec);
    out << text;
    if (!out || ec)
      return core::makeError(core::ErrorKind::internal, "cannot write " + file.string());
  }
  // Moved into place, so a file that exists is complete; a hard link fails if the file exists.
  if (keep_existing) {
    fs::create_hard_link(partial, file, ec);
    const bool written = !ec;
    fs::remove(partial, ec);
    if (!written && !fs::exists(file, ec))
      return core::makeError(core::ErrorKind::internal, "cannot write " + file.string());
    return written;
  }
  fs::rename(partial, file, ec);
  if (ec) return core::makeError(core::ErrorKind::internal, "cannot write " + file.string());
  return true;
}

}  // namespace

std::vector<std::string> usesOf(core::CardType type) {
  if (type == core::CardType::mobile) return {"authentication"};
  return {"authentication", "signature", "encryption"};
}

std::vector<pki::SubjectAttribute> cardSubject(const CardSpecification& card) {
  std::vector<pki::SubjectAttribute> subject{{"C", "NL"}};
  if (!card.organisation_name.empty()) subject.push_back({"O", card.organisation_name});
  if (card.type == core::CardType::group) {
    subject.push_back({"organizationIdentifier", "NTRNL-" + card.organisation_kvk});
    subject.push_back({"CN", card.group_name});
    return subject;
  }
  if (!card.title.empty()) subject.push_back({"title", card.title});
  subject.push_back({"GN", card.given_name});
  subject.push_back({"SN", card.surname});
  subject.push_back({"serialNumber", card.serial_number});
  subject.push_back({"CN", card.given_name + " " + card.surname});
  return subject;
}

fs::path DemoCardBureau::fileOf(core::OrderId order, std::string_view use,
                                std::string_view extension) const {
  return dir_ / ("order-" + std::to_string(order)) /
         (std::string(use) + "." + std::string(extension));
}

core::Result<std::string> DemoCardBureau::certificateRequest(const CardSpecification& card,
                                                             std::string_view use) {
  // "On the card": the key file of this order and use, made once (of two at once, the first
  // stays) and kept for a retry.
  const fs::path key_file = fileOf(card.order, use, "key");
  auto existing = readFile(key_file);
  if (!existing) return existing.error();
  if (!*existing) {
    const pki::PrivateKey fresh = pki::PrivateKey::generate(pki::KeyType::ec_p256);
    auto written = writeFile(key_file, fresh.toPem(), true);
    if (!written) return written.error();
    existing = readFile(key_file);
    if (!existing) return existing.error();
    if (!*existing)
      return core::makeError(core::ErrorKind::internal, "cannot read " + key_file.string());
  }
  auto key = pki::PrivateKey::fromPem(**existing);
  if (!key) return key.error();
  auto request = pki::buildCertificateRequest(*key, cardSubject(card));
  if (!request) return request.error();
  return request->toPem();
}

core::Result<void> DemoCardBureau::certificateIssued(const CardSpecification& card,
                                                     std::string_view use,
                                                     const std::string& certificate_pem) {
  auto written = writeFile(fileOf(card.order, use, "crt"), certificate_pem);
  if (!written) return written.error();
  return {};
}

core::Result<std::optional<std::vector<std::uint8_t>>> DemoCardBureau::softCard(
    core::OrderId order) const {
  using SoftCard = std::optional<std::vector<std::uint8_t>>;
  auto key_pem = readFile(fileOf(order, "authentication", "key"));
  if (!key_pem) return key_pem.error();
  auto certificate_pem = readFile(fileOf(order, "authentication", "crt"));
  if (!certificate_pem) return certificate_pem.error();
  if (!*key_pem || !*certificate_pem) return SoftCard();
  auto key = pki::PrivateKey::fromPem(**key_pem);
  if (!key) return key.error();
  auto certificate = pki::Certificate::fromPem(**certificate_pem);
  if (!certificate) return certificate.error();
  // The soft card carries the issuing CA, as the demo users' files do.
  std::vector<pki::Certificate> chain;
  for (const auto& issuer : authority_.issuers())
    if (issuer.certificate.subjectDn() == certificate->issuerDn())
      chain.push_back(issuer.certificate);
  auto pkcs12 = pki::makePkcs12(*certificate, *key, chain, kSoftCardPassword,
                                certificate->subjectAttribute("CN").value_or(""));
  if (!pkcs12) return pkcs12.error();
  return SoftCard(std::move(*pkcs12));
}

}  // namespace ra
