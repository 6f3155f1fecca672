#include "web/request.hpp"

#include <gtest/gtest.h>

namespace {

namespace bhttp = boost::beast::http;

TEST(Request, TargetIsDecoded) {
  const auto target = web::parseTarget("/zoek%20en?q=Voorbeeld+B.V.&x=%3D1&q=second");
  ASSERT_TRUE(target);
  EXPECT_EQ(target->path, "/zoek en");
  EXPECT_EQ(target->query.at("q"), "Voorbeeld B.V.") << "first value wins, '+' is a space";
  EXPECT_EQ(target->query.at("x"), "=1");
}

TEST(Request, MalformedTargetsAreRefused) {
  EXPECT_FALSE(web::parseTarget("http://evil.example/"));
  EXPECT_FALSE(web::parseTarget("/a?b=%zz"));
  EXPECT_FALSE(web::parseTarget("no-slash"));
}

TEST(Request, FormBodiesAreDecoded) {
  const auto form = web::parseForm("csrf_token=abc&name=Jan+de+Vries&city=%C3%89de");
  ASSERT_TRUE(form);
  EXPECT_EQ(form->at("name"), "Jan de Vries");
  EXPECT_EQ(form->at("city"),
            "\xC3\x89"
            "de");
  EXPECT_TRUE(web::parseForm("")->empty());
  EXPECT_FALSE(web::parseForm("a=%g1"));
  EXPECT_FALSE(web::parseForm("a=1\r\nb=2"));
}

TEST(Request, CookiesAreFoundByExactName) {
  http::Request request{bhttp::verb::get, "/", 11};
  request.insert(bhttp::field::cookie, "x__Host-mc_session=no; __Host-mc_lang=en");
  request.insert(bhttp::field::cookie, "__Host-mc_session=yes");
  EXPECT_EQ(web::cookie(request, "__Host-mc_session"), "yes");
  EXPECT_EQ(web::cookie(request, "__Host-mc_lang"), "en");
  EXPECT_FALSE(web::cookie(request, "missing"));
}

TEST(Request, MediaTypeIgnoresParametersAndCase) {
  http::Request request{bhttp::verb::post, "/", 11};
  request.set(bhttp::field::content_type, "Application/JSON; charset=utf-8");
  EXPECT_EQ(web::mediaType(request), "application/json");
}

}  // namespace

namespace {

constexpr std::string_view kType = "multipart/form-data; boundary=----b0undary";

TEST(Multipart, FieldsAndFilesAreSeparated) {
  using namespace std::string_literals;  // the file holds a NUL byte
  const std::string body =
      "------b0undary\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\nabc\r\n"
      "------b0undary\r\ncontent-disposition: form-data; name=\"certificate_file\"; "
      "filename=\"jan.der\"\r\nContent-Type: application/pkix-cert\r\n\r\n\x30\x82\r\n\x00\x01\r\n"
      "------b0undary\r\nContent-Disposition: form-data; name=\"empty\"; filename=\"\"\r\n\r\n\r\n"
      "------b0undary--\r\n"s;
  const auto form = web::parseMultipart(kType, body);
  ASSERT_TRUE(form);
  EXPECT_EQ(form->fields.at("csrf_token"), "abc");
  const auto& file = form->files.at("certificate_file");
  EXPECT_EQ(file.filename, "jan.der");
  EXPECT_EQ(file.content_type, "application/pkix-cert");
  EXPECT_EQ(file.content, std::string("\x30\x82\r\n\x00\x01", 6)) << "binary content, CRLF kept";
  EXPECT_FALSE(form->files.contains("empty")) << "no file chosen";
  EXPECT_FALSE(form->fields.contains("empty"));
}

TEST(Multipart, MalformedBodiesAreRefused) {
  EXPECT_FALSE(web::parseMultipart("multipart/form-data", "x")) << "no boundary";
  EXPECT_FALSE(web::parseMultipart(kType, "garbage"));
  EXPECT_FALSE(web::parseMultipart(kType,
                                   "------b0undary\r\nContent-Disposition: form-data; "
                                   "name=\"a\"\r\n\r\nno end"));
  EXPECT_FALSE(web::parseMultipart(kType,
                                   "------b0undary\r\nContent-Type: text/plain\r\n\r\n"
                                   "x\r\n------b0undary--"))
      << "a part without a name";
  std::string many;
  for (int i = 0; i < 40; ++i)
    many += "------b0undary\r\nContent-Disposition: form-data; name=\"f" + std::to_string(i) +
            "\"\r\n\r\nx\r\n";
  EXPECT_FALSE(web::parseMultipart(kType, many + "------b0undary--")) << "too many parts";
  EXPECT_TRUE(web::parseMultipart(kType, "------b0undary--")) << "an empty form";
}

}  // namespace
