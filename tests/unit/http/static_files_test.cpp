#include "http/static_files.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace {

namespace beasthttp = boost::beast::http;

class StaticFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "mijncert-static-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    root_ = pattern;
    std::filesystem::create_directory(root_ / "static");
    write(root_ / "static" / "app.css", "body{}");
    write(root_ / "static" / "logo.svg", "<svg/>");
    write(root_ / "static" / "notes.txt", "not a served type");
    write(root_ / "static" / ".hidden.css", "secret");
    write(root_ / "secret.css", "outside");
    std::filesystem::create_directory(root_ / "static" / "dir.css");
  }
  void TearDown() override { std::filesystem::remove_all(root_); }

  static void write(const std::filesystem::path& path, const std::string& text) {
    std::ofstream(path, std::ios::binary) << text;
  }

  http::Response get(const std::string& target,
                     beasthttp::verb method = beasthttp::verb::get) const {
    http::Request request{method, target, 11};
    return http::serveStaticFile(request, root_ / "static");
  }

  std::filesystem::path root_;
};

TEST(TargetPath, DropsTheQueryString) {
  EXPECT_EQ(http::targetPath("/a/b?x=1&y=2"), "/a/b");
  EXPECT_EQ(http::targetPath("/a/b"), "/a/b");
  EXPECT_EQ(http::targetPath("/?"), "/");
}

TEST(IsStaticPath, OnlyUnderStatic) {
  EXPECT_TRUE(http::isStaticPath("/static/app.css"));
  EXPECT_TRUE(http::isStaticPath("/static/"));
  EXPECT_FALSE(http::isStaticPath("/static"));
  EXPECT_FALSE(http::isStaticPath("/staticfoo/app.css"));
  EXPECT_FALSE(http::isStaticPath("/healthz"));
}

TEST_F(StaticFilesTest, ServesAKnownFileWithTypeAndCaching) {
  const auto response = get("/static/app.css?v=2");
  EXPECT_EQ(response.result(), beasthttp::status::ok);
  EXPECT_EQ(response[beasthttp::field::content_type], "text/css; charset=utf-8");
  EXPECT_EQ(response[beasthttp::field::cache_control], "public, max-age=3600");
  EXPECT_EQ(response[beasthttp::field::content_length], "6");
  EXPECT_EQ(response.body(), "body{}");
  EXPECT_EQ(get("/static/logo.svg")[beasthttp::field::content_type], "image/svg+xml");
}

TEST_F(StaticFilesTest, HeadGetsTheSameHeaders) {
  const auto response = get("/static/app.css", beasthttp::verb::head);
  EXPECT_EQ(response.result(), beasthttp::status::ok);
  EXPECT_EQ(response[beasthttp::field::content_length], "6");
}

TEST_F(StaticFilesTest, RefusesAnythingButAPlainFileName) {
  for (const char* target :
       {"/static/../secret.css", "/static/..", "/static/.", "/static/", "/static/..%2Fsecret.css",
        "/static/%2e%2e/secret.css", "/static/app%2Ecss", "/static/sub/app.css",
        "/static/.hidden.css", "/static/app..css", "/static/app.css/", "/static/app.css%00",
        "/static/app css", "/static/dir.css", "/static/missing.css", "/static/notes.txt"}) {
    const auto response = get(target);
    EXPECT_EQ(response.result(), beasthttp::status::not_found) << target;
    EXPECT_EQ(response.find(beasthttp::field::cache_control), response.end()) << target;
  }
}

TEST_F(StaticFilesTest, OtherMethodsAreNotAllowed) {
  const auto response = get("/static/app.css", beasthttp::verb::post);
  EXPECT_EQ(response.result(), beasthttp::status::method_not_allowed);
  EXPECT_EQ(response[beasthttp::field::allow], "GET, HEAD");
}

TEST_F(StaticFilesTest, NoDirectoryServesNothing) {
  http::Request request{beasthttp::verb::get, "/static/app.css", 11};
  EXPECT_EQ(http::serveStaticFile(request, {}).result(), beasthttp::status::not_found);
}

}  // namespace
