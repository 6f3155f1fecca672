#include "bench/micro_support.hpp"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>

namespace bench {

const std::string& Arguments::required(const std::string& name) const {
  const auto found = options.find(name);
  if (found == options.end()) throw std::invalid_argument(name + " is required");
  return found->second;
}

std::string Arguments::optional(const std::string& name, const std::string& fallback) const {
  const auto found = options.find(name);
  return found == options.end() ? fallback : found->second;
}

Arguments parseArguments(int argc, char** argv, const std::vector<std::string>& known) {
  Arguments arguments;
  for (int i = 1; i < argc; ++i) {
    const std::string word = argv[i];
    if (!word.starts_with("--")) {
      arguments.files.push_back(word);
      continue;
    }
    if (std::find(known.begin(), known.end(), word) == known.end())
      throw std::invalid_argument("unknown option " + word);
    if (i + 1 == argc) throw std::invalid_argument(word + " needs a value");
    arguments.options[word] = argv[++i];
  }
  return arguments;
}

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

std::span<const std::uint8_t> bytesOf(const std::string& text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

double ratePerSecond(double seconds, const std::function<void(std::size_t)>& step) {
  using Clock = std::chrono::steady_clock;
  const auto started = Clock::now();
  std::size_t calls = 0;
  std::chrono::duration<double> elapsed{};
  do {
    step(calls++);
    elapsed = Clock::now() - started;
  } while (elapsed.count() < seconds);
  return static_cast<double>(calls) / elapsed.count();
}

int runProgram(const char* name, const char* usage, const std::function<int()>& program) {
  try {
    return program();
  } catch (const std::invalid_argument& error) {
    std::cerr << name << ": " << error.what() << "\nusage: " << usage << "\n";
    return 2;
  } catch (const std::exception& error) {
    std::cerr << name << ": " << error.what() << "\n";
    return 1;
  }
}

}  // namespace bench
