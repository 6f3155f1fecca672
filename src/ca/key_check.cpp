#include "ca/key_check.hpp"

namespace ca {

core::Result<policy::KnownBadKeys> KeyCheck::known() const {
  auto blocklist = blocked_.hashes();
  if (!blocklist) return blocklist.error();
  return policy::KnownBadKeys{std::move(*blocklist), &debian_};
}

core::Result<void> KeyCheck::checkKey(const pki::PublicKey& key) const {
  auto lists = known();
  if (!lists) return lists.error();
  return policy::checkPublicKey(key, *lists);
}

core::Result<policy::CheckedCsr> KeyCheck::checkServerCsr(std::span<const std::uint8_t> csr) const {
  auto lists = known();
  if (!lists) return lists.error();
  return policy::checkCsr(csr, *lists);
}

core::Result<CheckedRequest> KeyCheck::checkKeyRequest(std::span<const std::uint8_t> csr) const {
  auto request = policy::readCsr(csr);
  if (!request) return request.error();
  auto key = request->publicKey();
  if (!key)
    return core::makeError(core::ErrorKind::invalid, "csr.unreadable", {{"csr", "csr.unreadable"}});
  if (auto checked = checkKey(*key); !checked) return checked.error();
  return CheckedRequest{std::move(*request), std::move(*key)};
}

core::Result<CheckedRequest> KeyCheck::checkKeyRequest(std::string_view csr) const {
  return checkKeyRequest(std::span(reinterpret_cast<const std::uint8_t*>(csr.data()), csr.size()));
}

}  // namespace ca
