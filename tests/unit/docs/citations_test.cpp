// Citations that cannot drift (ADR 0014). Code, tests and docs cite documents
// ("docs/operations.md"), their sections ("PRODUCT.md §8a", "docs/architecture.md §Several nodes",
// "PRODUCT.md §5 "Inzage"": a phrase of that section) and decisions ("ADR 0006", "docs/adr/0004");
// every one must exist. A decision is cited by the ADR or section that records it, never by an
// issue number, which says nothing to a reader without the tracker.
//
// The whole repository is read (not build/, node_modules/, var/ or hidden directories). Bare
// PRODUCT.md, API.md and ARCHITECTURE.md are the shared product documents in ../shared/docs; a
// clone of the repository alone (CI) has none, and only their checks are skipped then.

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

const fs::path kRoot = fs::path(MIJNCERT_SOURCE_DIR).lexically_normal();
const fs::path kShared = (kRoot / "../shared/docs").lexically_normal();
/// Documents cited by bare name that live in kShared.
const std::set<std::string> kSharedDocuments = {"PRODUCT.md", "API.md", "ARCHITECTURE.md"};
/// This file: its examples are wrong citations on purpose.
const fs::path kSelf = "tests/unit/docs/citations_test.cpp";

// --- What the text cites --------------------------------------------------------------------

/// A section of a document as cited: `document §section`, and the quoted phrase after it.
struct SectionCitation {
  std::string document;
  std::string section;
  std::string phrase;
  bool operator==(const SectionCitation&) const = default;
};

/// A document name or path ending in .md, not inside a URL or absolute path.
const std::string kDocument =
    R"((?:^|[^A-Za-z0-9_./:-])((?:\.\./)*(?:[A-Za-z0-9_-]+/)*[A-Za-z0-9_.-]+\.md)\b)";
/// A section: a number ("8", "8a", "3.1") or a title ("Several nodes").
const std::string kSection = R"(§([0-9]+[a-z]?(?:\.[0-9]+)*|[A-Za-z][A-Za-z0-9_' -]*))";

/// In every finder below, only what starts before `limit` counts (the rest of `text` is the next
/// line, whose own turn comes).

/// Every document path or name in `text`.
std::vector<std::string> documentsIn(const std::string& text,
                                     std::size_t limit = std::string::npos) {
  static const std::regex document(kDocument);
  std::vector<std::string> found;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), document);
       it != std::sregex_iterator(); ++it)
    if (std::size_t((*it)[1].first - text.begin()) < limit) found.push_back((*it)[1]);
  return found;
}

/// Every section citation in `text`: a document, " §" and a section, then more ", §section"
/// of the same document.
std::vector<SectionCitation> sectionsIn(const std::string& text,
                                        std::size_t limit = std::string::npos) {
  // A quoted phrase may follow a section.
  static const std::string phrase = R"re((?:\s*"([^"]+)")?)re";
  static const std::regex first(kDocument + R"(\s+)" + kSection + phrase);
  static const std::regex next(R"(^\s*,\s*)" + kSection + phrase);
  std::vector<SectionCitation> found;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), first);
       it != std::sregex_iterator(); ++it) {
    if (std::size_t((*it)[1].first - text.begin()) >= limit) break;
    const std::string document = (*it)[1];
    found.push_back({document, (*it)[2], (*it)[3]});
    auto rest = (*it)[0].second;
    for (std::smatch more; std::regex_search(rest, text.end(), more, next); rest = more[0].second)
      found.push_back({document, more[1], more[2]});
  }
  for (auto& citation : found) {
    while (!citation.section.empty() && citation.section.back() == ' ') citation.section.pop_back();
  }
  return found;
}

/// Every ADR number in `text`: "ADR 0006", "ADR 0002/0003", "ADR 0009–0011", "docs/adr/0004".
std::vector<std::string> adrsIn(const std::string& text, std::size_t limit = std::string::npos) {
  static const std::regex adr(
      R"(\bADRs?((?:\s*(?:,|/|–|-|and)?\s*[0-9]{4}\b)+)|docs/adr/([0-9]{4}))");
  static const std::regex number("[0-9]{4}");
  std::vector<std::string> found;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), adr); it != std::sregex_iterator();
       ++it) {
    if (std::size_t(it->position()) >= limit) break;
    const std::string numbers = (*it)[1].matched ? (*it)[1].str() : (*it)[2].str();
    for (auto n = std::sregex_iterator(numbers.begin(), numbers.end(), number);
         n != std::sregex_iterator(); ++n)
      found.push_back(n->str());
  }
  return found;
}

/// Every issue number in `text` ("issue 8", "Issue 5:", "issues #3").
std::vector<std::string> issuesIn(const std::string& text, std::size_t limit = std::string::npos) {
  static const std::regex issue(R"(\b[Ii]ssues?\s+#?[0-9]+)");
  std::vector<std::string> found;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), issue);
       it != std::sregex_iterator(); ++it)
    if (std::size_t(it->position()) < limit) found.push_back(it->str());
  return found;
}

TEST(CitationText, FindsDocumentsButNotUrls) {
  EXPECT_EQ(documentsIn("see docs/operations.md, ../shared/docs/API.md and README.md."),
            (std::vector<std::string>{"docs/operations.md", "../shared/docs/API.md", "README.md"}));
  EXPECT_TRUE(documentsIn("file:///opt/mijncert/docs/operations.md https://x.org/a.md").empty());
}

TEST(CitationText, FindsSectionsWithTheirPhrases) {
  EXPECT_EQ(sectionsIn(R"(// (PRODUCT.md §5 "Inzage", §6, §8a): and API.md §Commands.)"),
            (std::vector<SectionCitation>{{"PRODUCT.md", "5", "Inzage"},
                                          {"PRODUCT.md", "6", ""},
                                          {"PRODUCT.md", "8a", ""},
                                          {"API.md", "Commands", ""}}));
  EXPECT_EQ(sectionsIn("(docs/operations.md §Behind a load balancer); PRODUCT.md §8 / BR §7.1"),
            (std::vector<SectionCitation>{{"docs/operations.md", "Behind a load balancer", ""},
                                          {"PRODUCT.md", "8", ""}}));
  EXPECT_TRUE(sectionsIn("RFC 5280 §4.1.2.2, §5.3.1").empty());
}

TEST(CitationText, FindsAdrsAndIssueNumbers) {
  EXPECT_EQ(adrsIn("ADR 0006; ADR 0002/0003, ADR 0009–0011, see docs/adr/0004. ADRs are"),
            (std::vector<std::string>{"0006", "0002", "0003", "0009", "0011", "0004"}));
  EXPECT_EQ(issuesIn("(issue 8) Issue 5: issues #3 and 4; an issue, tissue 9"),
            (std::vector<std::string>{"issue 8", "Issue 5", "issues #3"}));
}

// --- What exists ------------------------------------------------------------------------------

/// A heading of a Markdown document: "## 8a. After issuance" → number "8a", title "After
/// issuance"; its text, the title included, runs to the next heading of its level or higher.
struct Heading {
  std::string number;
  std::string title;
  std::string text;
};

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

std::vector<std::string> readLines(const fs::path& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

/// The headings of a Markdown file, outside code blocks (read once per file).
const std::vector<Heading>& headingsOf(const fs::path& path) {
  static std::map<fs::path, std::vector<Heading>> cache;
  if (auto known = cache.find(path); known != cache.end()) return known->second;
  static const std::regex heading(R"(^(#+) +(?:([0-9]+[a-z]?(?:\.[0-9]+)*)\.? +)?(.*?) *$)");
  struct Open {
    std::size_t index;
    std::size_t level;
  };
  std::vector<Heading> headings;
  std::vector<Open> open;
  bool in_code = false;
  for (const std::string& line : readLines(path)) {
    if (line.starts_with("```")) in_code = !in_code;
    std::smatch found;
    if (!in_code && std::regex_match(line, found, heading)) {
      const std::size_t level = found[1].length();
      while (!open.empty() && open.back().level >= level) open.pop_back();
      headings.push_back({found[2], found[3], found[3].str() + "\n"});
      open.push_back({headings.size() - 1, level});
      continue;
    }
    for (const Open& o : open) headings[o.index].text += line + "\n";
  }
  return cache[path] = std::move(headings);
}

/// What is wrong with `citation` of the document at `path`; nullopt if nothing.
std::optional<std::string> problemOf(const SectionCitation& citation, const fs::path& path) {
  static const std::regex numbered("[0-9].*");
  const bool by_number = std::regex_match(citation.section, numbered);
  const std::string wanted = lower(citation.section);
  for (const Heading& heading : headingsOf(path)) {
    const std::string title = lower(heading.title);
    // A title may run on into the sentence: "§Several nodes for the details".
    const bool match = by_number ? heading.number == citation.section
                                 : wanted == title || wanted.starts_with(title + " ");
    if (!match || title.empty()) continue;
    if (!citation.phrase.empty() &&
        lower(heading.text).find(lower(citation.phrase)) == std::string::npos)
      return "section " + citation.section + " does not say \"" + citation.phrase + "\"";
    return std::nullopt;
  }
  return "no section " + citation.section;
}

/// Where a cited document is: bare shared names in kShared, other bare names at the root,
/// paths relative to the root (as the README and docs write them).
fs::path locate(const std::string& document) {
  if (kSharedDocuments.contains(document)) return kShared / document;
  return (kRoot / document).lexically_normal();
}

bool isShared(const fs::path& path) {
  const auto relative = path.lexically_relative(kShared);
  return !relative.empty() && !relative.native().starts_with("..");
}

// --- The repository ---------------------------------------------------------------------------

/// One line of the repository; `text` also holds the next line without its comment leader, so
/// that a citation broken over two lines is read whole.
struct Line {
  fs::path file;  ///< relative to kRoot
  int number = 0;
  std::string text;    ///< the line, a space and the next line
  std::size_t length;  ///< of the line itself within `text`
};

bool skippedDirectory(const fs::path& path) {
  const std::string name = path.filename().string();
  return name.starts_with(".") || name == "build" || name.starts_with("build-") ||
         name == "node_modules" || name == "var" || name == "test-results" ||
         name == "playwright-report";
}

bool isText(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  char buffer[4096];
  in.read(buffer, sizeof buffer);
  return std::find(buffer, buffer + in.gcount(), '\0') == buffer + in.gcount();
}

/// A line without indentation and comment markers ("//", "///<", "#", "--", "*").
std::string withoutLeader(const std::string& line) {
  static const std::regex leader(R"(^\s*(?:///<|//+|#+|--|/?\*+)?\s*)");
  return std::regex_replace(line, leader, "", std::regex_constants::format_first_only);
}

/// The text files of the repository, relative to kRoot, sorted (so reports are stable).
std::vector<fs::path> repositoryFiles() {
  std::vector<fs::path> files;
  for (auto it = fs::recursive_directory_iterator(kRoot); it != fs::recursive_directory_iterator();
       ++it) {
    if (it->is_directory() && skippedDirectory(it->path())) {
      it.disable_recursion_pending();
      continue;
    }
    const fs::path relative = it->path().lexically_relative(kRoot);
    if (it->is_regular_file() && relative != kSelf &&
        !it->path().filename().string().starts_with(".") && relative != "package-lock.json" &&
        it->file_size() <= 1024 * 1024 && isText(it->path()))
      files.push_back(relative);
  }
  std::sort(files.begin(), files.end());
  return files;
}

const std::vector<Line>& repositoryLines() {
  static const std::vector<Line> lines = [] {
    std::vector<Line> all;
    for (const fs::path& file : repositoryFiles()) {
      const auto file_lines = readLines(kRoot / file);
      for (std::size_t i = 0; i < file_lines.size(); ++i) {
        std::string text = file_lines[i];
        if (i + 1 < file_lines.size()) text += " " + withoutLeader(file_lines[i + 1]);
        all.push_back({file, static_cast<int>(i + 1), text, file_lines[i].size()});
      }
    }
    return all;
  }();
  return lines;
}

/// "file:line: what".
std::string at(const Line& line, const std::string& what) {
  return "\n  " + line.file.string() + ":" + std::to_string(line.number) + ": " + what;
}

/// The problems of the citations of documents (shared or project ones).
std::string documentProblems(bool shared) {
  std::string problems;
  for (const Line& line : repositoryLines()) {
    if (line.text.find(".md") == std::string::npos) continue;
    std::set<std::string> reported;
    for (const std::string& document : documentsIn(line.text, line.length)) {
      const fs::path path = locate(document);
      if (isShared(path) != shared || reported.contains(document)) continue;
      if (!fs::is_regular_file(path)) {
        problems += at(line, document + ": no such document");
        reported.insert(document);
      }
    }
    for (const SectionCitation& citation : sectionsIn(line.text, line.length)) {
      const fs::path path = locate(citation.document);
      if (isShared(path) != shared || reported.contains(citation.document)) continue;
      if (auto problem = problemOf(citation, path))
        problems += at(line, citation.document + " §" + citation.section + ": " + *problem);
    }
  }
  return problems;
}

TEST(Citations, ProjectDocumentsAndSectionsExist) {
  const std::string problems = documentProblems(false);
  EXPECT_TRUE(problems.empty()) << "citations of missing project documents or sections:"
                                << problems;
}

TEST(Citations, SharedDocumentsAndSectionsExist) {
  if (!fs::is_directory(kShared))
    GTEST_SKIP() << kShared.string()
                 << " is not next to the repository (a clone on its own, as in CI): citations "
                    "of PRODUCT.md, API.md and ARCHITECTURE.md are not checked; the project's "
                    "own documents are (Citations.ProjectDocumentsAndSectionsExist)";
  const std::string problems = documentProblems(true);
  EXPECT_TRUE(problems.empty()) << "citations of missing shared documents or sections:" << problems;
}

TEST(Citations, CitedAdrsExist) {
  std::set<std::string> adrs;
  for (const auto& entry : fs::directory_iterator(kRoot / "docs/adr"))
    adrs.insert(entry.path().filename().string().substr(0, 4));
  std::string problems;
  for (const Line& line : repositoryLines()) {
    if (line.text.find("ADR") == std::string::npos &&
        line.text.find("docs/adr/") == std::string::npos)
      continue;
    for (const std::string& number : adrsIn(line.text, line.length))
      if (!adrs.contains(number)) problems += at(line, "ADR " + number + " is not in docs/adr/");
  }
  EXPECT_TRUE(problems.empty()) << "citations of missing ADRs:" << problems;
}

TEST(Citations, NoIssueNumbers) {
  std::string problems;
  for (const Line& line : repositoryLines()) {
    if (line.text.find("ssue") == std::string::npos) continue;
    for (const std::string& issue : issuesIn(line.text, line.length)) problems += at(line, issue);
  }
  EXPECT_TRUE(problems.empty())
      << "issue numbers; cite the ADR or the docs section that records the decision instead:"
      << problems;
}

}  // namespace
