#include "audit/untrusted_text.hpp"

#include <gtest/gtest.h>

namespace {

using audit::untrustedText;

TEST(UntrustedText, PlainTextStaysAsItIs) {
  EXPECT_EQ(untrustedText("CN=Sanne Jansen,O=Voorbeeld B.V.,C=NL", 512),
            "CN=Sanne Jansen,O=Voorbeeld B.V.,C=NL");
  EXPECT_EQ(untrustedText("CN=Zoë Ça", 512), "CN=Zoë Ça");
}

TEST(UntrustedText, ControlAndBidiCharactersAreEscaped) {
  EXPECT_EQ(untrustedText("a\nb\x1b[2Jc\x7f", 512), "a\\u000Ab\\u001B[2Jc\\u007F");
  EXPECT_EQ(untrustedText("x\u009By\u202Ez\u200Bw", 512), "x\\u009By\\u202Ez\\u200Bw");
}

TEST(UntrustedText, BytesThatAreNoUtf8AreShownAsBytes) {
  EXPECT_EQ(untrustedText("a\xff"
                          "b\xc3",
                          512),
            "a\\xFFb\\xC3");
}

TEST(UntrustedText, LongTextIsCutOnACharacterBoundaryAndMarked) {
  EXPECT_EQ(untrustedText("0123456789", 10), "0123456789");
  EXPECT_EQ(untrustedText("0123456789a", 10), "0123456…");
  // "é" takes two bytes: never half of it.
  const auto cut = untrustedText("ééééé", 8);
  EXPECT_EQ(cut, "éé…");
  // An escape is never cut in two either.
  EXPECT_EQ(untrustedText("ab\x1b\x1b\x1b", 12), "ab\\u001B…");
}

}  // namespace
