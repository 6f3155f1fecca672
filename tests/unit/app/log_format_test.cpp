#include "app/log_format.hpp"

#include <gtest/gtest.h>

#include <string>

namespace {

std::string formatted(std::string_view text,
                      spdlog::formatter&& formatter = app::EscapingFormatter("%l %v")) {
  const spdlog::details::log_msg message("mijncert", spdlog::level::info,
                                         spdlog::string_view_t(text.data(), text.size()));
  spdlog::memory_buf_t line;
  formatter.format(message, line);
  return std::string(line.data(), line.size());
}

TEST(EscapingFormatter, AForgedLineOrTerminalEscapeStaysInsideItsLine) {
  // A decoded request path "/\x1b[31mX\n2026-12-07T00:00:00.000Z info forged".
  EXPECT_EQ(formatted("handler failed: path=/\x1b[31mX\n2026 info forged\r"),
            "info handler failed: path=/\\x1b[31mX\\x0a2026 info forged\\x0d\n");
  EXPECT_EQ(formatted("a\\x0a and \x7f"), "info a\\\\x0a and \\x7f\n");
}

TEST(EscapingFormatter, PlainTextIsLoggedAsItIs) {
  EXPECT_EQ(formatted("request conn=7 path=/organisaties/1 status=200 naam=Zoë"),
            "info request conn=7 path=/organisaties/1 status=200 naam=Zoë\n");
}

TEST(EscapingFormatter, ACopyForAnotherSinkEscapesToo) {
  // spdlog gives each sink its own clone of the logger's formatter.
  const auto copy = app::EscapingFormatter("%v").clone();
  EXPECT_EQ(formatted("x\ny", std::move(*copy)), "x\\x0ay\n");
}

}  // namespace
