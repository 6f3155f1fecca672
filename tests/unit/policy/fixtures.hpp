#pragma once
// The files of tests/fixtures the policy tests read: the real Debian weak keys and their list.

#include "pki/key.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace policy::test {

/// The source tree (the tests read fixtures and message catalogues from it).
inline const std::filesystem::path kSourceDir = MIJNCERT_SOURCE_DIR;
/// tests/fixtures/debian-weak-keys (README.md there says where the keys come from).
inline const std::filesystem::path kWeakKeys = kSourceDir / "tests/fixtures/debian-weak-keys";

/// The whole file.
inline std::string readText(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  EXPECT_TRUE(in) << file;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

/// A real Debian weak key of the fixtures ("0", "1", "10").
inline pki::PrivateKey debianWeakKey(const std::string& name) {
  auto key = pki::PrivateKey::fromPem(readText(kWeakKeys / (name + ".key")));
  EXPECT_TRUE(key) << name;
  return std::move(*key);
}

}  // namespace policy::test
