#include "pki/csr_builder.hpp"

#include "pki/public_key.hpp"

#include <gtest/gtest.h>

namespace pki {
namespace {

TEST(CsrBuilderTest, RequestIsSelfSignedForTheKey) {
  for (const KeyType type : {KeyType::ec_p256, KeyType::ec_p384}) {
    const PrivateKey key = PrivateKey::generate(type);
    auto request = buildCertificateRequest(key, "mijncert-signer");
    ASSERT_TRUE(request) << request.error().message;
    EXPECT_TRUE(request->hasValidSignature());
    EXPECT_EQ(request->subjectAttributes("CN"), std::vector<std::string>{"mijncert-signer"});
    auto public_key = request->publicKey();
    ASSERT_TRUE(public_key) << public_key.error().message;
    EXPECT_EQ(public_key->sha256Hex(), PublicKey::of(key).sha256Hex());
    // It survives PEM, the form in which the signer app sends it.
    EXPECT_TRUE(CertificateRequest::fromPem(request->toPem()));
  }
}

}  // namespace
}  // namespace pki
