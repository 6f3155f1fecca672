#include "ca/certificate_authority.hpp"

#include "core/encoding.hpp"
#include "pki/certificate_contents.hpp"
#include "pki/crl.hpp"
#include "policy/csr_rules.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <iterator>

namespace ca {
namespace {

using namespace std::chrono_literals;

// Each retry draws a fresh 126-bit serial; a second collision means a broken random source.
constexpr int kSerialAttempts = 4;

core::Error invalid(std::string message) {
  return core::makeError(core::ErrorKind::invalid, std::move(message));
}

// RFC 5280 §4.1.2.2 and BR §7.1: positive, ≤ 20 octets, ≥ 64 bits from a CSPRNG. The top byte is
// pinned to 0x40–0x7F: positive, always 16 octets, and its hex has no leading zero, so the
// reserved serial_hex equals what Certificate::serialHex() reads back.
std::vector<std::uint8_t> drawSerial(core::RandomSource& random) {
  std::vector<std::uint8_t> serial(16);
  random.fill(serial);
  serial[0] = static_cast<std::uint8_t>((serial[0] & 0x3F) | 0x40);
  return serial;
}

boost::json::value optionalId(const std::optional<std::int64_t>& id) {
  return id ? boost::json::value(*id) : boost::json::value(nullptr);
}

std::optional<std::int64_t> idFrom(const boost::json::object& object, const char* key) {
  const boost::json::value* value = object.if_contains(key);
  if (value == nullptr || !value->is_int64()) return std::nullopt;
  return value->as_int64();
}

// What reconcile needs to store a signed certificate that the issuing process could not.
std::string recordedRequest(const Ownership& owner, const audit::Actor& actor) {
  return boost::json::serialize(boost::json::object{
      {"organisation", optionalId(owner.organisation)},
      {"holder", optionalId(owner.holder)},
      {"card", optionalId(owner.card)},
      {"manager", optionalId(owner.manager)},
      {"requested_by", optionalId(owner.requested_by)},
      {"order", optionalId(owner.order)},
      {"actor", actor.id},
  });
}

std::pair<Ownership, audit::Actor> parseRequest(const std::string& request) {
  boost::system::error_code ec;
  const boost::json::value value = boost::json::parse(request, ec);
  if (ec || !value.is_object()) return {Ownership{}, audit::Actor::system("ca-reconcile")};
  const auto& o = value.as_object();
  Ownership owner{idFrom(o, "organisation"), idFrom(o, "holder"),       idFrom(o, "card"),
                  idFrom(o, "manager"),      idFrom(o, "requested_by"), idFrom(o, "order")};
  const boost::json::value* actor = o.if_contains("actor");
  return {owner, actor && actor->is_string() ? audit::Actor{std::string(actor->as_string())}
                                             : audit::Actor::system("ca-reconcile")};
}

std::string problemsText(const core::Error& error) {
  std::string text = error.message;
  for (const auto& field : error.fields) text += "; " + field.field + " " + field.message;
  return text;
}

// Writes all of `data` to `fd`, then forces it to disk.
bool writeAndSync(int fd, const std::string& data) {
  for (std::size_t written = 0; written < data.size();) {
    const ssize_t n = ::write(fd, data.data() + written, data.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    written += std::size_t(n);
  }
  return ::fsync(fd) == 0;
}

// Replaces `path` atomically and durably: the login check or a download never sees half a CRL,
// and a power loss leaves the old or the new one. The temporary file has a unique name, so
// that two writers (a node's jobs and `ca crl`) never write into the same one.
core::Result<void> writeAtomically(const std::filesystem::path& path, const std::string& data) {
  std::string temporary = path.string() + ".XXXXXX";
  const int fd = ::mkstemp(temporary.data());
  if (fd < 0) return invalid("cannot create a file next to " + path.string());
  const bool written = writeAndSync(fd, data) && ::fchmod(fd, 0644) == 0;
  ::close(fd);
  std::error_code ec;
  if (written) std::filesystem::rename(temporary, path, ec);
  if (!written || ec) {
    std::filesystem::remove(temporary, ec);
    return invalid("cannot replace " + path.string());
  }
  // The rename itself is durable once the directory is synced.
  if (const int directory = ::open(path.parent_path().c_str(), O_RDONLY | O_DIRECTORY);
      directory >= 0) {
    ::fsync(directory);
    ::close(directory);
  }
  return {};
}

}  // namespace

CertificateAuthority::CertificateAuthority(std::vector<IssuingCa> issuers,
                                           std::vector<ProductProfile> profiles,
                                           storage::CertificateStore& store, const KeyCheck& keys,
                                           const core::Clock& clock, core::RandomSource& random,
                                           metrics::Registry* metrics)
    : issuers_(std::move(issuers)),
      profiles_(std::move(profiles)),
      store_(store),
      keys_(keys),
      clock_(clock),
      random_(random) {
  if (metrics == nullptr) return;
  // Products are configured, so the labels are bounded; the series exist from the start, and a
  // product that never issued shows 0 rather than nothing.
  for (const ProductProfile& profile : profiles_) {
    const std::string kind(core::toString(profile.kind));
    const auto series = [&](const char* result) -> prometheus::Counter* {
      return &metrics->issuances.Add(
          {{"kind", kind}, {"product", profile.name}, {"result", result}});
    };
    metrics_.push_back({series("issued"), series("failed"),
                        &metrics->issuance_duration.Add({{"kind", kind}, {"product", profile.name}},
                                                        metrics::issuanceSecondsBuckets())});
  }
}

const IssuingCa* CertificateAuthority::findIssuer(const std::string& name) const {
  const auto found = std::find_if(issuers_.begin(), issuers_.end(),
                                  [&](const IssuingCa& issuer) { return issuer.name == name; });
  return found == issuers_.end() ? nullptr : &*found;
}

core::Result<CertificateAuthority::Checked> CertificateAuthority::buildAndReserve(
    const IssuingCa& issuer, const ProductProfile& profile, pki::CertificateSpec spec,
    const IssuanceRequest& request, const pki::PublicKey& public_key,
    const std::string& recorded_request) {
  const CheckContext context{issuer.certificate.notAfter(), clock_.now(), request.demo_backdating};
  for (int attempt = 1;; ++attempt) {
    spec.serial = drawSerial(random_);
    auto built = pki::buildCertificate(spec, public_key, issuer.certificate);
    if (!built) {
      return recordFailed(issuer, profile, spec.serial, recorded_request, request.owner.order,
                          built.error());
    }
    // Checked exactly as encoded: what is signed next is this to-be-signed certificate.
    if (auto checked = checkProfile(pki::readContents(built->view()), profile, context); !checked) {
      return recordFailed(issuer, profile, spec.serial, recorded_request, request.owner.order,
                          checked.error());
    }
    auto reserved =
        store_.reserveChecked(issuer.name, core::toHex(spec.serial), profile.name, recorded_request,
                              built->tbsSha256(), request.owner.order);
    if (reserved) return Checked{*reserved, std::move(*built)};
    if (reserved.error().message != "certificate.serial_taken" || attempt == kSerialAttempts) {
      return reserved.error();
    }
  }
}

core::Error CertificateAuthority::recordFailed(const IssuingCa& issuer,
                                               const ProductProfile& profile,
                                               const std::vector<std::uint8_t>& serial,
                                               const std::string& recorded_request,
                                               const std::optional<core::OrderId>& order,
                                               const core::Error& error) {
  auto issuance =
      store_.reserveSerial(issuer.name, core::toHex(serial), profile.name, recorded_request, order);
  if (!issuance) return issuance.error();
  if (auto marked = store_.markFailed(*issuance, problemsText(error)); !marked) {
    return marked.error();
  }
  return error;
}

core::Result<core::IssuedCertificate> CertificateAuthority::issue(const IssuanceRequest& request,
                                                                  const pki::PublicKey& public_key,
                                                                  const audit::Actor& actor) {
  const ProductProfile* profile = findProfile(profiles_, request.product);
  if (profile == nullptr) return invalid("certificate.unknown_product");
  if (metrics_.empty()) return issueSteps(*profile, request, public_key, actor);
  const auto started = std::chrono::steady_clock::now();
  auto issued = issueSteps(*profile, request, public_key, actor);
  const ProductMetrics& series = metrics_[static_cast<std::size_t>(profile - profiles_.data())];
  if (!issued) {
    series.failed->Increment();
    return issued;
  }
  series.issued->Increment();
  const std::chrono::duration<double> seconds = std::chrono::steady_clock::now() - started;
  series.duration->Observe(seconds.count());
  return issued;
}

core::Result<core::IssuedCertificate> CertificateAuthority::issueSteps(
    const ProductProfile& profile, const IssuanceRequest& request, const pki::PublicKey& public_key,
    const audit::Actor& actor) {
  const IssuingCa* issuer = findIssuer(profile.issuing_ca);
  if (issuer == nullptr || issuer->signer == nullptr) {
    return core::makeError(core::ErrorKind::unavailable, "certificate.issuer_unavailable");
  }
  // 0. The key and the names once more, as they are now (ADR 0024): a key blocklisted or a rule
  // tightened since the request was checked is refused before anything is built or signed, on
  // every path that reaches the CA.
  if (auto key = keys_.checkKey(public_key); !key) return key.error();
  for (const std::string& name : request.dns_names)
    if (auto checked = policy::checkDnsName(name); !checked) return checked.error();
  pki::CertificateSpec spec;
  spec.subject = request.subject;
  spec.not_before = request.not_before.value_or(clock_.now());
  spec.not_after =
      request.not_after.value_or(spec.not_before + std::chrono::days{profile.term_days});
  spec.key_usage = public_key.isRsa() ? profile.rsa_key_usage : profile.key_usage;
  spec.extended_key_usage = profile.extended_key_usage;
  spec.dns_names = request.dns_names;
  spec.email_addresses = request.email_addresses;
  spec.policy_oids = profile.policy_oids;
  if (!issuer->crl_url.empty()) spec.crl_distribution_points = {issuer->crl_url};

  // 1. Build, check and reserve its serial as checked: from here on the attempt is on record,
  // whatever happens next, and no other issuance for the order can begin.
  const std::string recorded_request = recordedRequest(request.owner, actor);
  auto checked =
      buildAndReserve(*issuer, profile, std::move(spec), request, public_key, recorded_request);
  if (!checked) return checked.error();

  // 2. Sign (verified against the CA certificate inside signCertificate).
  const bool rsa_pss =
      profile.rsa_pss && pki::describeKey(issuer->signer->key().handle()).starts_with("RSA");
  auto signed_certificate = pki::signCertificate(
      std::move(checked->certificate), issuer->certificate, issuer->signer->key(), rsa_pss);
  if (!signed_certificate) {
    if (auto marked = store_.markFailed(checked->issuance, signed_certificate.error().message);
        !marked) {
      return marked.error();
    }
    return core::makeError(core::ErrorKind::unavailable, signed_certificate.error().message);
  }

  // 3. Store with its audit record, in one transaction.
  return store(checked->issuance, *signed_certificate, profile, request.owner, actor);
}

core::Result<core::IssuedCertificate> CertificateAuthority::store(
    storage::IssuanceId issuance, const pki::Certificate& certificate,
    const ProductProfile& profile, const Ownership& owner, const audit::Actor& actor) {
  const pki::CertificateContents contents = pki::readContents(certificate);
  core::IssuedCertificate issued;
  issued.kind = profile.kind;
  issued.product = profile.name;
  issued.organisation = owner.organisation;
  issued.holder = owner.holder;
  issued.card = owner.card;
  issued.manager = owner.manager;
  issued.requested_by = owner.requested_by;
  issued.common_name = certificate.subjectAttribute("CN").value_or("");
  issued.dns_names = contents.dns_names;
  issued.subject_dn = certificate.subjectDn();
  issued.issuer_dn = certificate.issuerDn();
  issued.issuing_ca = profile.issuing_ca;
  issued.serial_hex = certificate.serialHex();
  issued.not_before = contents.not_before;
  issued.not_after = contents.not_after;
  issued.key_description = contents.key_description;
  issued.sha256_fingerprint = certificate.sha256Fingerprint();
  issued.policy_oids = contents.policy_oids;
  issued.pem = certificate.toPem();
  issued.issued_at = clock_.now();
  auto id = store_.storeIssued(issuance, issued, actor);
  if (!id) {
    // The certificate is signed: kept in its issuance record (unless it is there already), where
    // reconcile finds and stores it, it is never lost even though storing failed.
    (void)store_.markSigned(issuance, issued.pem);
    return id.error();
  }
  issued.id = *id;
  return issued;
}

core::Result<core::IssuedCertificate> CertificateAuthority::adopt(const std::string& pem,
                                                                  const std::string& product,
                                                                  const Ownership& owner,
                                                                  const audit::Actor& actor) {
  const ProductProfile* profile = findProfile(profiles_, product);
  if (profile == nullptr) return invalid("certificate.unknown_product");
  const IssuingCa* issuer = findIssuer(profile->issuing_ca);
  if (issuer == nullptr) return invalid("certificate.issuer_unavailable");
  auto certificate = pki::Certificate::fromPem(pem);
  if (!certificate) return certificate.error();
  if (!pki::isSignedBy(*certificate, issuer->certificate)) return invalid("certificate.not_ours");
  // Judged as of its own start: it was issued then, and may have expired since.
  const CheckContext context{issuer->certificate.notAfter(), certificate->notBefore(), false};
  if (auto checked = checkProfile(pki::readContents(*certificate), *profile, context); !checked) {
    return checked.error();
  }
  // The same steps as an issuance, so the serial is on record and reconcile sees it.
  auto issuance = store_.reserveChecked(issuer->name, certificate->serialHex(), profile->name,
                                        recordedRequest(owner, actor), "");
  if (!issuance) return issuance.error();
  return store(*issuance, *certificate, *profile, owner, actor);
}

core::Result<void> CertificateAuthority::revoke(core::CertificateId certificate,
                                                const std::string& reason,
                                                const audit::Actor& actor) {
  return store_.revoke(certificate, clock_.now(), reason, actor);
}

core::Result<std::string> CertificateAuthority::publishCrl(const std::string& issuing_ca) {
  const IssuingCa* issuer = findIssuer(issuing_ca);
  if (issuer == nullptr || issuer->signer == nullptr) return invalid("certificate.unknown_issuer");
  // The number first: of two publishers at once, the one that read the revocations later also
  // gets the higher number, so the newest CRL never lists less than an older one.
  auto number = store_.nextCrlNumber(issuing_ca);
  if (!number) return number.error();
  auto revoked = store_.revokedSerials(issuing_ca);
  if (!revoked) return revoked.error();
  std::vector<pki::RevokedCertificate> entries;
  for (const auto& entry : *revoked) {
    // An unknown recorded reason must not keep the certificate off the CRL: listed without one.
    entries.push_back(
        {entry.serial_hex, entry.revoked_at,
         pki::revocationReasonFromName(entry.reason).value_or(pki::RevocationReason::unspecified)});
  }
  const core::TimePoint now = clock_.now();
  auto crl = pki::issueCrl(issuer->certificate, issuer->signer->key(), entries, now,
                           now + issuer->crl_validity, *number);
  if (!crl) return crl.error();
  if (auto recorded = store_.recordCrl({issuing_ca, *number, *crl, now, now + issuer->crl_validity,
                                        std::int64_t(entries.size())});
      !recorded)
    return recorded.error();
  if (!issuer->crl_file.empty()) {
    if (auto written = writeAtomically(issuer->crl_file, *crl); !written) return written.error();
  }
  return crl;
}

core::Result<bool> CertificateAuthority::crlDue(const std::string& issuing_ca) const {
  const IssuingCa* issuer = findIssuer(issuing_ca);
  if (issuer == nullptr || issuer->signer == nullptr) return invalid("certificate.unknown_issuer");
  auto latest = store_.latestCrl(issuing_ca);
  if (!latest) return latest.error();
  if (!*latest) return true;
  // Renewed at half time, so relying parties that cache until nextUpdate never hold a stale one.
  const auto half_life = ((*latest)->next_update - (*latest)->this_update) / 2;
  if (clock_.now() >= (*latest)->this_update + half_life) return true;
  auto revoked = store_.revokedCount(issuing_ca);
  if (!revoked) return revoked.error();
  return *revoked != (*latest)->revoked_count;
}

core::Result<bool> CertificateAuthority::syncCrlFile(const std::string& issuing_ca) const {
  const IssuingCa* issuer = findIssuer(issuing_ca);
  if (issuer == nullptr) return invalid("certificate.unknown_issuer");
  if (issuer->crl_file.empty()) return false;
  auto latest = store_.latestCrl(issuing_ca);
  if (!latest) return latest.error();
  if (!*latest) return false;
  if (std::filesystem::is_regular_file(issuer->crl_file)) {
    std::ifstream in(issuer->crl_file, std::ios::binary);
    const std::string current{std::istreambuf_iterator<char>(in), {}};
    if (current == (*latest)->pem) return false;
  }
  if (auto written = writeAtomically(issuer->crl_file, (*latest)->pem); !written)
    return written.error();
  return true;
}

core::Result<ReconcileReport> CertificateAuthority::reconcile(std::chrono::minutes stale_after) {
  auto unfinished = store_.unfinishedIssuances();
  if (!unfinished) return unfinished.error();
  ReconcileReport report;
  const core::TimePoint now = clock_.now();
  for (const storage::UnfinishedIssuance& issuance : *unfinished) {
    // A younger issuance may still be under way, here or on another node: finishing it too
    // would make its own store step fail.
    if (issuance.created_at + stale_after >= now) continue;
    if (issuance.state == storage::IssuanceState::signed_) {
      const ProductProfile* profile = findProfile(profiles_, issuance.product);
      auto certificate = pki::Certificate::fromPem(issuance.pem);
      if (profile == nullptr || !certificate) return invalid("certificate.unreconcilable");
      const auto [owner, actor] = parseRequest(issuance.request);
      auto stored = store(issuance.id, *certificate, *profile, owner, actor);
      if (!stored) return stored.error();
      ++report.stored;
    } else {
      // Reserved or checked: a certificate signed for it never left the process that died.
      if (auto marked = store_.markFailed(issuance.id, "abandoned before it was recorded signed");
          !marked) {
        return marked.error();
      }
      ++report.failed;
    }
  }
  return report;
}

}  // namespace ca
