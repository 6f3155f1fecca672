// End-to-end tests of the HTTPS listener: a real Server on an ephemeral port, a throwaway
// self-signed certificate, and a small blocking OpenSSL client so that the tests control every
// byte (a header without its body, pipelining, an idle keep-alive connection). Every wait is
// bounded by a socket timeout or an explicit deadline.

#include "http/server.hpp"

#include "metrics/registry.hpp"
#include "pki/crl.hpp"
#include "pki/key.hpp"

#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <iterator>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>

namespace {

namespace fs = std::filesystem;
namespace beasthttp = boost::beast::http;
using namespace std::chrono_literals;

// Upper bound for any single network wait of the test client.
constexpr int kClientTimeoutSeconds = 5;

template <class T, void (*Free)(T*)>
struct OpenSslDeleter {
  void operator()(T* p) const { Free(p); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, OpenSslDeleter<EVP_PKEY, EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, OpenSslDeleter<X509, X509_free>>;
using ExtensionPtr =
    std::unique_ptr<X509_EXTENSION, OpenSslDeleter<X509_EXTENSION, X509_EXTENSION_free>>;
using SslCtxPtr = std::unique_ptr<SSL_CTX, OpenSslDeleter<SSL_CTX, SSL_CTX_free>>;
using SslPtr = std::unique_ptr<SSL, OpenSslDeleter<SSL, SSL_free>>;

void writePem(const fs::path& path, const std::function<int(FILE*)>& write) {
  std::unique_ptr<FILE, int (*)(FILE*)> file(std::fopen(path.c_str(), "w"), &std::fclose);
  if (!file || write(file.get()) != 1) throw std::runtime_error("cannot write " + path.string());
}

void addExtension(X509* certificate, int nid, const char* value) {
  X509V3_CTX context;
  X509V3_set_ctx_nodb(&context);
  X509V3_set_ctx(&context, certificate, certificate, nullptr, nullptr, 0);
  ExtensionPtr extension(X509V3_EXT_conf_nid(nullptr, &context, nid, value));
  if (!extension || X509_add_ext(certificate, extension.get(), -1) != 1) {
    throw std::runtime_error("cannot add extension");
  }
}

// A self-signed P-256 certificate for localhost that doubles as the client CA (the server
// configuration needs one; these tests do not depend on client certificates being trusted).
void writeSelfSignedCertificate(const fs::path& certificateFile, const fs::path& keyFile) {
  KeyPtr key(EVP_EC_gen("P-256"));
  X509Ptr certificate(X509_new());
  if (!key || !certificate) throw std::runtime_error("out of memory");
  X509_set_version(certificate.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(certificate.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(certificate.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(certificate.get()), 24 * 3600);
  X509_NAME* name = X509_get_subject_name(certificate.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
  X509_set_issuer_name(certificate.get(), name);
  X509_set_pubkey(certificate.get(), key.get());
  addExtension(certificate.get(), NID_basic_constraints, "critical,CA:TRUE");
  addExtension(certificate.get(), NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1");
  if (X509_sign(certificate.get(), key.get(), EVP_sha256()) == 0) {
    throw std::runtime_error("cannot sign");
  }
  writePem(certificateFile, [&](FILE* f) { return PEM_write_X509(f, certificate.get()); });
  writePem(keyFile, [&](FILE* f) {
    return PEM_write_PrivateKey(f, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  });
}

// Connects to 127.0.0.1:port, from `source` (another loopback address, e.g. 127.0.0.2) if given.
int connectTcp(std::uint16_t port, const std::string& source = "") {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  timeval timeout{kClientTimeoutSeconds, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  if (!source.empty()) {
    sockaddr_in local{};
    local.sin_family = AF_INET;
    if (::inet_pton(AF_INET, source.c_str(), &local.sin_addr) != 1 ||
        ::bind(fd, reinterpret_cast<const sockaddr*>(&local), sizeof local) != 0) {
      ::close(fd);
      return -1;
    }
  }
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

/// One HTTP response as the client saw it; header names in lower case.
struct Reply {
  int status = 0;
  std::map<std::string, std::string> headers;
  std::string body;
  int chunks = 0;  ///< data chunks of a chunked body

  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
  bool has(const std::string& name) const { return headers.count(name) != 0; }
};

/// How the test client connects.
struct ClientOptions {
  int max_version = 0;  ///< e.g. TLS1_1_VERSION to offer nothing newer
  fs::path certificate_file;
  fs::path key_file;
  std::string source_address;  ///< connect from this local address (default: any)
};

/// A blocking TLS client that speaks just enough HTTP/1.1 for these tests.
class TlsClient {
 public:
  explicit TlsClient(std::uint16_t port, const ClientOptions& options = {}) {
    context_.reset(SSL_CTX_new(TLS_client_method()));
    SSL_CTX_set_verify(context_.get(), SSL_VERIFY_NONE, nullptr);
    if (options.max_version != 0) {
      // Old protocol versions need the old ciphers and security level 0 to be offered at all.
      SSL_CTX_set_security_level(context_.get(), 0);
      SSL_CTX_set_cipher_list(context_.get(), "DEFAULT@SECLEVEL=0");
      SSL_CTX_set_min_proto_version(context_.get(), 0);
      SSL_CTX_set_max_proto_version(context_.get(), options.max_version);
    }
    if (!options.certificate_file.empty()) {
      SSL_CTX_use_certificate_file(context_.get(), options.certificate_file.c_str(),
                                   SSL_FILETYPE_PEM);
      SSL_CTX_use_PrivateKey_file(context_.get(), options.key_file.c_str(), SSL_FILETYPE_PEM);
    }
    fd_ = connectTcp(port, options.source_address);
    if (fd_ < 0) return;
    ssl_.reset(SSL_new(context_.get()));
    SSL_set_fd(ssl_.get(), fd_);
    SSL_set_tlsext_host_name(ssl_.get(), "localhost");
    handshakeOk_ = SSL_connect(ssl_.get()) == 1;
    ERR_clear_error();
  }
  ~TlsClient() {
    ssl_.reset();
    if (fd_ >= 0) ::close(fd_);
  }
  TlsClient(const TlsClient&) = delete;
  TlsClient& operator=(const TlsClient&) = delete;

  bool handshakeOk() const { return handshakeOk_; }

  std::string protocol() const { return handshakeOk_ ? SSL_get_version(ssl_.get()) : ""; }

  bool send(const std::string& data) {
    return handshakeOk_ && SSL_write(ssl_.get(), data.data(), static_cast<int>(data.size())) ==
                               static_cast<int>(data.size());
  }

  /// Reads one response; for the answer to a HEAD request pass `head`.
  std::optional<Reply> read(bool head = false) {
    std::size_t end;
    while ((end = pending_.find("\r\n\r\n")) == std::string::npos) {
      if (!fill()) return std::nullopt;
    }
    Reply reply;
    const std::string head_text = pending_.substr(0, end);
    pending_.erase(0, end + 4);
    std::size_t lineEnd = head_text.find("\r\n");
    const std::string statusLine = head_text.substr(0, lineEnd);
    if (statusLine.size() < 12) return std::nullopt;
    reply.status = std::stoi(statusLine.substr(9, 3));
    while (lineEnd != std::string::npos) {
      const std::size_t start = lineEnd + 2;
      lineEnd = head_text.find("\r\n", start);
      const std::string line = head_text.substr(start, lineEnd - start);
      const std::size_t colon = line.find(':');
      if (colon == std::string::npos) continue;
      std::string name = line.substr(0, colon);
      std::transform(name.begin(), name.end(), name.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      std::string value = line.substr(colon + 1);
      value.erase(0, value.find_first_not_of(' '));
      auto [it, inserted] = reply.headers.emplace(name, value);
      if (!inserted) it->second += ", " + value;
    }
    if (head || reply.status < 200 || reply.status == 204 || reply.status == 304) return reply;
    if (reply.header("transfer-encoding") == "chunked") return readChunks(reply);
    const std::size_t length =
        reply.has("content-length") ? std::stoul(reply.header("content-length")) : std::size_t{0};
    while (pending_.size() < length) {
      if (!fill()) return std::nullopt;
    }
    reply.body = pending_.substr(0, length);
    pending_.erase(0, length);
    return reply;
  }

  /// The rest of a chunked body (RFC 9112 §7.1, without extensions or trailers).
  std::optional<Reply> readChunks(Reply& reply) {
    for (;;) {
      std::size_t end;
      while ((end = pending_.find("\r\n")) == std::string::npos) {
        if (!fill()) return std::nullopt;
      }
      const std::size_t size = std::stoul(pending_.substr(0, end), nullptr, 16);
      while (pending_.size() < end + 2 + size + 2) {
        if (!fill()) return std::nullopt;
      }
      if (size == 0) {
        pending_.erase(0, end + 4);
        return reply;
      }
      reply.body += pending_.substr(end + 2, size);
      ++reply.chunks;
      pending_.erase(0, end + 2 + size + 2);
    }
  }

  /// True if the server closes the connection (within the client timeout); data is discarded.
  bool closedByPeer() {
    if (!handshakeOk_) return true;
    char buffer[4096];
    for (;;) {
      const int n = SSL_read(ssl_.get(), buffer, sizeof buffer);
      if (n > 0) continue;
      const int error = SSL_get_error(ssl_.get(), n);
      ERR_clear_error();
      return error != SSL_ERROR_WANT_READ;  // WANT_READ here means the receive timeout passed
    }
  }

 private:
  bool fill() {
    char buffer[16 * 1024];
    const int n = SSL_read(ssl_.get(), buffer, sizeof buffer);
    if (n <= 0) {
      ERR_clear_error();
      return false;
    }
    pending_.append(buffer, static_cast<std::size_t>(n));
    return true;
  }

  SslCtxPtr context_;
  SslPtr ssl_;
  int fd_ = -1;
  bool handshakeOk_ = false;
  std::string pending_;
};

std::string readFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string getRequest(const std::string& target, const std::string& extra = "") {
  return "GET " + target + " HTTP/1.1\r\nHost: localhost\r\n" + extra + "\r\n";
}

/// Answers with what it learned about the connection; /boom throws, /slow takes a while,
/// /block waits until the test opens the gate, /stream streams three lines (/stream-boom fails
/// after the first, /stream-block waits at the gate before the second).
class TestHandler : public http::Handler {
 public:
  http::Reply handle(const http::Request& request, const http::Connection& connection,
                     http::RequestLog& log) override {
    ++calls_;
    const std::string target(request.target());
    if (target == "/block") {
      {
        std::lock_guard lock(mutex_);
        ++blocked_;
        lastDeadline_ = connection.deadline;
      }
      changed_.notify_all();
      waitAtTheGate();
    }
    if (target == "/stream-block") return streamed(false, [this] { waitAtTheGate(); });
    if (target.starts_with("/slow")) {
      {
        std::lock_guard lock(mutex_);
        slowStarted_ = true;
      }
      changed_.notify_all();
      std::this_thread::sleep_for(500ms);
    }
    if (target == "/boom") throw std::runtime_error("database password is hunter2");
    if (target.starts_with("/stream")) return streamed(target == "/stream-boom");
    ++finished_;

    http::Response response{beasthttp::status::ok, request.version()};
    response.set(beasthttp::field::content_type, "text/plain");
    response.set("X-Connection-Id", std::to_string(connection.id));
    response.set("X-Peer", pki::toString(connection.peer.status));
    response.set("X-Remote", connection.remote_address);
    if (target == "/own-cache")
      response.set(beasthttp::field::cache_control, "private, max-age=60");
    response.body() = "hallo " + std::to_string(request.body().size());
    log.person = "person-42";
    if (target == "/hello") log.route = "/hello";  // a route of the table, for the metrics
    return response;
  }

  static http::Reply streamed(bool fail, std::function<void()> beforeSecond = {}) {
    http::Response head{beasthttp::status::ok, 11};
    head.set(beasthttp::field::content_type, "text/csv");
    auto produced = std::make_shared<int>(0);
    return {std::move(head), [produced, fail, beforeSecond](std::string& chunk) {
              if (fail && *produced == 1) throw std::runtime_error("database gone");
              if (beforeSecond && *produced == 1) beforeSecond();
              if (*produced == 3) return false;
              // An empty piece in between must not end the body.
              chunk = *produced == 1 ? "" : "regel " + std::to_string(*produced) + "\r\n";
              ++*produced;
              return true;
            }};
  }

  bool waitForSlowRequest() {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, 5s, [this] { return slowStarted_; });
  }

  /// Waits until `count` requests for /block have reached the handler.
  bool waitUntilBlocked(int count) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, 5s, [&] { return blocked_ >= count; });
  }

  /// Lets every request waiting at the gate, and every later one, go on.
  void openGate() {
    {
      std::lock_guard lock(mutex_);
      gateOpen_ = true;
    }
    changed_.notify_all();
  }

  /// The deadline the transport gave the last request for /block.
  std::chrono::steady_clock::time_point lastDeadline() {
    std::lock_guard lock(mutex_);
    return lastDeadline_;
  }

  int calls() const { return calls_; }
  /// Requests that ran to the end with a complete answer.
  int finished() const { return finished_; }

 private:
  // Bounded, so that a test that forgets the gate fails instead of hanging.
  void waitAtTheGate() {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, 10s, [this] { return gateOpen_; });
  }

  std::atomic<int> calls_{0};
  std::atomic<int> finished_{0};
  std::mutex mutex_;
  std::condition_variable changed_;
  bool slowStarted_ = false;
  int blocked_ = 0;
  bool gateOpen_ = false;
  std::chrono::steady_clock::time_point lastDeadline_{};
};

/// Collects log lines so tests can check the request log.
class CaptureSink : public spdlog::sinks::base_sink<std::mutex> {
 public:
  std::string text() {
    std::lock_guard lock(mutex_);
    return text_;
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& message) override {
    text_.append(message.payload.data(), message.payload.size());
    text_ += '\n';
  }
  void flush_() override {}

 private:
  std::string text_;
};

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // The test client writes with plain write(2): a server that closed first must not kill us.
    std::signal(SIGPIPE, SIG_IGN);
    std::string pattern = (fs::temp_directory_path() / "mijncert-http-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    writeSelfSignedCertificate(dir_ / "server.crt", dir_ / "server.key");
    fs::create_directory(dir_ / "static");
    std::ofstream(dir_ / "static" / "app.css") << "body{}";
    std::ofstream(dir_ / "secret.css") << "outside";

    settings_.host = "127.0.0.1";
    settings_.port = 0;
    settings_.tls.certificate_chain_file = (dir_ / "server.crt").string();
    settings_.tls.private_key_file = (dir_ / "server.key").string();
    settings_.tls.client_ca_file = (dir_ / "server.crt").string();
    settings_.threads = 2;
    settings_.static_dir = (dir_ / "static").string();
    // Tests connect from 127.0.0.1 in quick succession: no per-client limits (ADR 0023; their
    // tests are tests/integration/connection-limits.test.mjs).
    settings_.max_connections_per_address = 100'000;
    settings_.handshakes_per_second_per_address = 1e6;
    settings_.handshake_burst_per_address = 100'000;

    log_ = std::make_shared<CaptureSink>();
    previousLogger_ = spdlog::default_logger();
    auto logger = std::make_shared<spdlog::logger>("test", log_);
    logger->set_level(spdlog::level::debug);
    spdlog::set_default_logger(logger);
  }

  void TearDown() override {
    handler_.openGate();  // blocked handlers would hold up the stop
    if (running_.valid()) {
      server_->stop();
      if (!serverExited(30s)) {
        std::fprintf(stderr, "server did not stop\n");
        std::abort();  // a hung run() would otherwise block the test forever
      }
    }
    server_.reset();
    spdlog::set_default_logger(previousLogger_);
    fs::remove_all(dir_);
  }

  /// Starts the server with one worker and `queued` places behind it, and sends /block, which
  /// holds that worker until the gate opens; /block's answer comes from the returned future.
  std::future<std::optional<Reply>> startWithTheWorkerBlocked(std::size_t queued) {
    settings_.worker_threads = 1;
    settings_.queued_per_worker = queued;
    start();
    return std::async(std::launch::async, [this] { return exchange(getRequest("/block")); });
  }

  void start() {
    server_ = trust_ ? std::make_unique<http::Server>(settings_, handler_, trust_)
                     : std::make_unique<http::Server>(settings_, handler_);
    running_ = std::async(std::launch::async, [this] { server_->run(); });
  }

  bool serverExited(std::chrono::seconds limit) {
    if (running_.wait_for(limit) != std::future_status::ready) return false;
    running_.get();  // rethrows what run() threw
    return true;
  }

  std::unique_ptr<TlsClient> connect(const ClientOptions& options = {}) {
    return std::make_unique<TlsClient>(server_->port(), options);
  }

  /// One request on a fresh connection.
  std::optional<Reply> exchange(const std::string& request, bool head = false) {
    TlsClient client(server_->port());
    if (!client.send(request)) return std::nullopt;
    return client.read(head);
  }

  /// The log is written after the response, so a test may see the response first.
  bool logContains(const std::string& text) {
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (log_->text().find(text) == std::string::npos) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(10ms);
    }
    return true;
  }

  fs::path dir_;
  http::ServerSettings settings_;
  std::shared_ptr<pki::ClientTrust> trust_;  ///< set: the server gets it instead of its own
  TestHandler handler_;
  std::unique_ptr<http::Server> server_;
  std::future<void> running_;
  std::shared_ptr<CaptureSink> log_;
  std::shared_ptr<spdlog::logger> previousLogger_;
};

TEST_F(ServerTest, HandlerAnswerCarriesSecurityHeaders) {
  start();
  const auto reply = exchange(getRequest("/hello", "Connection: close\r\n"));
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 200);
  EXPECT_EQ(reply->body, "hallo 0");
  EXPECT_EQ(reply->header("strict-transport-security"), "max-age=63072000; includeSubDomains");
  EXPECT_TRUE(reply->header("content-security-policy").starts_with("default-src 'none'"));
  EXPECT_EQ(reply->header("x-content-type-options"), "nosniff");
  EXPECT_EQ(reply->header("x-frame-options"), "DENY");
  EXPECT_EQ(reply->header("cache-control"), "no-store");
  EXPECT_EQ(reply->header("server"), "MijnCertificaten");
  EXPECT_EQ(reply->header("connection"), "close");
  EXPECT_EQ(reply->header("x-peer"), "none");
  EXPECT_EQ(reply->header("x-remote"), "127.0.0.1");
}

TEST_F(ServerTest, HandlerMayChooseItsOwnCaching) {
  start();
  const auto reply = exchange(getRequest("/own-cache"));
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->header("cache-control"), "private, max-age=60");
}

TEST_F(ServerTest, KeepAliveConnectionKeepsOneIdentity) {
  start();
  auto client = connect();
  ASSERT_TRUE(client->send(getRequest("/a")));
  const auto first = client->read();
  ASSERT_TRUE(client->send(getRequest("/b")));
  const auto second = client->read();
  ASSERT_TRUE(first && second);
  EXPECT_FALSE(first->has("connection"));
  EXPECT_EQ(first->header("x-connection-id"), second->header("x-connection-id"));

  const auto other = exchange(getRequest("/c"));
  ASSERT_TRUE(other);
  EXPECT_NE(other->header("x-connection-id"), first->header("x-connection-id"));
}

TEST_F(ServerTest, PipelinedRequestsAreAnsweredInOrder) {
  start();
  auto client = connect();
  ASSERT_TRUE(client->send(getRequest("/a") + "POST /b HTTP/1.1\r\nHost: localhost\r\n"
                                              "Content-Length: 3\r\n\r\nabc"));
  const auto first = client->read();
  const auto second = client->read();
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first->body, "hallo 0");
  EXPECT_EQ(second->body, "hallo 3");
}

TEST_F(ServerTest, HeadAnswersWithoutBodyAndKeepsTheConnectionUsable) {
  start();
  auto client = connect();
  ASSERT_TRUE(client->send("HEAD /hello HTTP/1.1\r\nHost: localhost\r\n\r\n"));
  const auto head = client->read(/*head=*/true);
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->header("content-length"), "7");
  ASSERT_TRUE(client->send(getRequest("/hello")));
  const auto get = client->read();
  ASSERT_TRUE(get);
  EXPECT_EQ(get->body, "hallo 0");  // would be garbled if the HEAD answer had carried a body
}

TEST_F(ServerTest, StreamedBodyArrivesCompleteInChunksWithSecurityHeaders) {
  start();
  auto client = connect();
  ASSERT_TRUE(client->send(getRequest("/stream")));
  const auto reply = client->read();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 200);
  EXPECT_EQ(reply->header("transfer-encoding"), "chunked");
  EXPECT_FALSE(reply->has("content-length"));
  EXPECT_EQ(reply->header("x-content-type-options"), "nosniff");
  EXPECT_EQ(reply->body, "regel 0\r\nregel 2\r\n");
  EXPECT_EQ(reply->chunks, 2);
  // The connection stays usable after the last chunk.
  ASSERT_TRUE(client->send(getRequest("/hello")));
  const auto next = client->read();
  ASSERT_TRUE(next);
  EXPECT_EQ(next->body, "hallo 0");
}

TEST_F(ServerTest, StreamedBodyToHttp10EndsWithTheConnection) {
  start();
  auto client = connect();
  ASSERT_TRUE(client->send("GET /stream HTTP/1.0\r\nHost: localhost\r\n\r\n"));
  const auto reply = client->read(/*head=*/true);
  ASSERT_TRUE(reply);
  EXPECT_FALSE(reply->has("transfer-encoding"));
  EXPECT_TRUE(client->closedByPeer());
}

TEST_F(ServerTest, FailingStreamEndsTheConnectionWithoutTheLastChunk) {
  start();
  auto client = connect();
  ASSERT_TRUE(client->send(getRequest("/stream-boom")));
  EXPECT_FALSE(client->read());  // the body never completes
  EXPECT_TRUE(logContains("streamed body failed"));
}

TEST_F(ServerTest, BodyWithinTheLimitReachesTheHandler) {
  settings_.max_body_bytes = 1024;
  start();
  const auto reply =
      exchange("POST /form HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1024\r\n\r\n" +
               std::string(1024, 'x'));
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 200);
  EXPECT_EQ(reply->body, "hallo 1024");
}

TEST_F(ServerTest, ExpectContinueGetsAnInterimAnswer) {
  start();
  auto client = connect();
  ASSERT_TRUE(
      client->send("POST /form HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\nExpect: "
                   "100-continue\r\n\r\n"));
  const auto interim = client->read();
  ASSERT_TRUE(interim);
  EXPECT_EQ(interim->status, 100);
  ASSERT_TRUE(client->send("12345"));
  const auto reply = client->read();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->body, "hallo 5");
}

TEST_F(ServerTest, TooLargeBodyIsRefusedBeforeItIsSent) {
  settings_.max_body_bytes = 1024;
  start();
  auto client = connect();
  // Only the header: the 413 must come without the server waiting for the body.
  ASSERT_TRUE(
      client->send("POST /form HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100000\r\n\r\n"));
  const auto reply = client->read();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 413);
  EXPECT_EQ(reply->header("connection"), "close");
  EXPECT_EQ(reply->header("x-content-type-options"), "nosniff");
  EXPECT_TRUE(client->closedByPeer());
  EXPECT_EQ(handler_.calls(), 0);
  EXPECT_TRUE(logContains("method=POST path=/form status=413"));
}

TEST_F(ServerTest, CurlSeesTheRefusalOfAnUploadItSendsAtOnce) {
  if (std::system("command -v curl >/dev/null 2>&1") != 0) GTEST_SKIP() << "curl not installed";
  settings_.max_body_bytes = 64 * 1024;
  start();
  const fs::path upload = dir_ / "upload.bin";
  std::ofstream(upload, std::ios::binary) << std::string(256 * 1024, 'x');
  // "Expect:" (empty) makes curl send the body right behind the header, the hard case: the 413
  // must survive the server closing while data is still arriving.
  const std::string command =
      "curl -k -s -o /dev/null --max-time 10 -w '%{http_code}' -H 'Expect:' "
      "--data-binary @" +
      upload.string() + " https://127.0.0.1:" + std::to_string(server_->port()) + "/form";
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen(command.c_str(), "r"), &::pclose);
  ASSERT_TRUE(pipe);
  char output[16] = {};
  ASSERT_NE(std::fgets(output, sizeof output, pipe.get()), nullptr);
  EXPECT_STREQ(output, "413");
  EXPECT_EQ(handler_.calls(), 0);
}

TEST_F(ServerTest, TooLargeChunkedBodyIsRefused) {
  settings_.max_body_bytes = 1024;
  start();
  const auto reply = exchange(
      "POST /form HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n"
      "800\r\n" +
      std::string(0x800, 'x') + "\r\n0\r\n\r\n");
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 413);
  EXPECT_EQ(handler_.calls(), 0);
}

TEST_F(ServerTest, HugeHeaderIsRefused) {
  start();
  auto client = connect();
  ASSERT_TRUE(client->send(getRequest("/hello", "X-Big: " + std::string(20000, 'a') + "\r\n")));
  const auto reply = client->read();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 431);
  EXPECT_EQ(reply->header("server"), "MijnCertificaten");
  EXPECT_TRUE(client->closedByPeer());
  EXPECT_EQ(handler_.calls(), 0);
}

TEST_F(ServerTest, MalformedRequestIsRefused) {
  start();
  const auto reply = exchange("GET /hello HTTP/1.1\r\nHost localhost\r\n\r\n");
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 400);
  EXPECT_EQ(handler_.calls(), 0);
}

TEST_F(ServerTest, StaticFileIsServedWithoutTheHandler) {
  start();
  const auto reply = exchange(getRequest("/static/app.css"));
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 200);
  EXPECT_EQ(reply->body, "body{}");
  EXPECT_EQ(reply->header("content-type"), "text/css; charset=utf-8");
  EXPECT_EQ(reply->header("cache-control"), "public, max-age=3600");
  EXPECT_EQ(reply->header("x-content-type-options"), "nosniff");
  EXPECT_EQ(handler_.calls(), 0);
}

TEST_F(ServerTest, StaticPathTraversalIsRefused) {
  start();
  for (const char* target : {"/static/../secret.css", "/static/..%2Fsecret.css",
                             "/static/%2e%2e%2fsecret.css", "/static/nope.css"}) {
    const auto reply = exchange(getRequest(target));
    ASSERT_TRUE(reply) << target;
    EXPECT_EQ(reply->status, 404) << target;
    EXPECT_EQ(reply->body.find("outside"), std::string::npos) << target;
  }
  EXPECT_EQ(handler_.calls(), 0);
}

TEST_F(ServerTest, HandlerExceptionBecomesAGeneric500) {
  start();
  const auto reply = exchange(getRequest("/boom"));
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 500);
  EXPECT_EQ(reply->body, "Interne serverfout\n");
  EXPECT_EQ(reply->header("content-security-policy").empty(), false);
  EXPECT_TRUE(logContains("database password is hunter2"));  // in the log, never in the answer

  const auto next = exchange(getRequest("/hello"));  // the server lives on
  ASSERT_TRUE(next);
  EXPECT_EQ(next->status, 200);
}

TEST_F(ServerTest, LogsOneLinePerRequestWithoutQuery) {
  start();
  const auto reply = exchange(getRequest("/hello?token=geheim", "Cookie: session=geheim\r\n"));
  ASSERT_TRUE(reply);
  const std::string id = reply->header("x-connection-id");
  EXPECT_TRUE(
      logContains("request conn=" + id + " method=GET path=/hello status=200 duration_ms="));
  EXPECT_TRUE(logContains(" person=person-42"));
  EXPECT_EQ(log_->text().find("geheim"), std::string::npos);

  ASSERT_TRUE(exchange(getRequest("/static/app.css")));
  EXPECT_TRUE(logContains("path=/static/app.css status=200 duration_ms="));
  EXPECT_TRUE(logContains(" person=-"));
}

TEST_F(ServerTest, Tls11IsRefusedAndTls12Accepted) {
  start();
  TlsClient old(server_->port(), {.max_version = TLS1_1_VERSION});
  EXPECT_FALSE(old.handshakeOk());

  TlsClient current(server_->port(), {.max_version = TLS1_2_VERSION});
  ASSERT_TRUE(current.handshakeOk());
  EXPECT_EQ(current.protocol(), "TLSv1.2");
  ASSERT_TRUE(current.send(getRequest("/hello")));
  const auto reply = current.read();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 200);
}

TEST_F(ServerTest, ClientCertificateVerdictReachesTheHandler) {
  start();
  // The certificate is requested, not required: a client certificate that the server does not
  // trust (here: no CRL for its CA) still gets a connection, and the handler sees the verdict.
  TlsClient client(server_->port(),
                   {.certificate_file = dir_ / "server.crt", .key_file = dir_ / "server.key"});
  ASSERT_TRUE(client.handshakeOk());
  ASSERT_TRUE(client.send(getRequest("/hello")));
  const auto reply = client.read();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 200);
  EXPECT_NE(reply->header("x-peer"), "none");
  EXPECT_NE(reply->header("x-peer"), "trusted");
}

TEST_F(ServerTest, IdleConnectionIsClosedAfterTheIdleTimeout) {
  settings_.idle_timeout = 1s;
  start();
  auto client = connect();
  ASSERT_TRUE(client->handshakeOk());
  const auto started = std::chrono::steady_clock::now();
  EXPECT_TRUE(client->closedByPeer());
  EXPECT_LT(std::chrono::steady_clock::now() - started, 4s);
}

TEST_F(ServerTest, SilentTcpConnectionIsClosedAfterTheHandshakeTimeout) {
  settings_.handshake_timeout = 1s;
  start();
  const int fd = connectTcp(server_->port());
  ASSERT_GE(fd, 0);
  char byte;
  EXPECT_EQ(::recv(fd, &byte, 1, 0), 0);  // orderly close, well before the 5 s receive timeout
  ::close(fd);
}

TEST_F(ServerTest, ConnectionsBeyondTheLimitAreClosed) {
  settings_.max_connections = 1;
  start();
  auto first = connect();
  ASSERT_TRUE(first->handshakeOk());

  TlsClient refused(server_->port());
  EXPECT_FALSE(refused.handshakeOk());
  EXPECT_TRUE(logContains("connection limit of 1 reached"));

  ASSERT_TRUE(first->send(getRequest("/hello")));
  ASSERT_TRUE(first->read());
  first.reset();

  // The slot frees up once the server has noticed the close.
  bool accepted = false;
  for (int attempt = 0; attempt < 50 && !accepted; ++attempt) {
    accepted = TlsClient(server_->port()).handshakeOk();
    if (!accepted) std::this_thread::sleep_for(100ms);
  }
  EXPECT_TRUE(accepted);
}

TEST_F(ServerTest, StopLetsTheRequestInFlightFinish) {
  settings_.shutdown_grace = 20s;
  start();
  auto idle = connect();  // a keep-alive connection with nothing to do
  ASSERT_TRUE(idle->send(getRequest("/hello")));
  ASSERT_TRUE(idle->read());

  auto slow = std::async(std::launch::async, [this] { return exchange(getRequest("/slow")); });
  ASSERT_TRUE(handler_.waitForSlowRequest());
  server_->stop();

  ASSERT_EQ(slow.wait_for(10s), std::future_status::ready);
  const auto reply = slow.get();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 200);
  EXPECT_EQ(reply->header("connection"), "close");
  // Well within the grace period: the idle connection was closed, not waited for.
  EXPECT_TRUE(serverExited(5s));
  EXPECT_TRUE(idle->closedByPeer());
  EXPECT_FALSE(TlsClient(server_->port()).handshakeOk());  // no longer accepting
}

TEST_F(ServerTest, StopWaitsNoLongerThanTheGracePeriod) {
  settings_.shutdown_grace = 1s;
  start();
  auto client = connect();
  ASSERT_TRUE(client->send("GET /hello HTTP/1.1\r\n"));  // a request that never completes
  std::this_thread::sleep_for(200ms);
  const auto stopped = std::chrono::steady_clock::now();
  server_->stop();
  EXPECT_TRUE(serverExited(5s));
  EXPECT_GE(std::chrono::steady_clock::now() - stopped, 900ms);
  EXPECT_TRUE(logContains("grace period over"));
}

TEST_F(ServerTest, SigtermStopsTheServer) {
  start();
  ASSERT_TRUE(exchange(getRequest("/hello")));  // run() is serving, so its signal set is in place
  ASSERT_EQ(::kill(::getpid(), SIGTERM), 0);
  EXPECT_TRUE(serverExited(5s));
  EXPECT_TRUE(logContains("received signal"));
}

TEST_F(ServerTest, StopBeforeRunReturnsAtOnce) {
  server_ = std::make_unique<http::Server>(settings_, handler_);
  server_->stop();
  running_ = std::async(std::launch::async, [this] { server_->run(); });
  EXPECT_TRUE(serverExited(5s));
}

// Handlers run on the workers (ADR 0012): with every worker blocked and no queue left, the I/O
// threads still complete handshakes and the health check still answers, on its own thread.
TEST_F(ServerTest, HealthCheckAndHandshakesAnswerWhileEveryWorkerIsBlocked) {
  settings_.worker_threads = 2;
  settings_.queued_per_worker = 0;
  start();
  auto first = std::async(std::launch::async, [this] { return exchange(getRequest("/block")); });
  auto second = std::async(std::launch::async, [this] { return exchange(getRequest("/block")); });
  ASSERT_TRUE(handler_.waitUntilBlocked(2));

  auto started = std::chrono::steady_clock::now();
  EXPECT_TRUE(TlsClient(server_->port()).handshakeOk());
  EXPECT_LT(std::chrono::steady_clock::now() - started, 1s);
  started = std::chrono::steady_clock::now();
  const auto health = exchange(getRequest("/healthz"));
  EXPECT_LT(std::chrono::steady_clock::now() - started, 1s);
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);

  handler_.openGate();
  for (auto* blocked : {&first, &second}) {
    const auto reply = blocked->get();
    ASSERT_TRUE(reply);
    EXPECT_EQ(reply->status, 200);
  }
}

TEST_F(ServerTest, RequestsBeyondTheQueueGet503AtOnce) {
  auto blocked = startWithTheWorkerBlocked(0);
  ASSERT_TRUE(handler_.waitUntilBlocked(1));

  const auto started = std::chrono::steady_clock::now();
  const auto refused = exchange(getRequest("/hello"));
  EXPECT_LT(std::chrono::steady_clock::now() - started, 1s);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 503);
  EXPECT_EQ(refused->header("retry-after"), "5");
  EXPECT_EQ(refused->header("content-type"), "text/plain; charset=utf-8");
  EXPECT_TRUE(logContains("workers busy with 1 requests: 503"));

  handler_.openGate();
  ASSERT_TRUE(blocked.get());
  const auto later = exchange(getRequest("/hello"));
  ASSERT_TRUE(later);
  EXPECT_EQ(later->status, 200);  // the place is free again
}

TEST_F(ServerTest, AHandlerPastTheDeadlineGets503AndItsResultIsDiscarded) {
  settings_.request_timeout = 1s;
  start();
  auto client = connect();
  const auto sent = std::chrono::steady_clock::now();
  ASSERT_TRUE(client->send(getRequest("/block")));
  const auto reply = client->read();
  const auto waited = std::chrono::steady_clock::now() - sent;
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 503);
  EXPECT_EQ(reply->header("retry-after"), "5");
  EXPECT_EQ(reply->header("connection"), "close");
  EXPECT_GE(waited, 900ms);
  EXPECT_LT(waited, 3s);
  EXPECT_TRUE(client->closedByPeer());
  // The handler was told when the transport would stop waiting.
  ASSERT_TRUE(handler_.waitUntilBlocked(1));
  EXPECT_GT(handler_.lastDeadline(), sent + 500ms);
  EXPECT_LT(handler_.lastDeadline(), sent + 1500ms);
  EXPECT_TRUE(logContains("request deadline of 1 s passed"));

  handler_.openGate();
  EXPECT_TRUE(logContains("its result is discarded"));
  EXPECT_EQ(handler_.finished(), 1);
  const auto after = exchange(getRequest("/hello"));
  ASSERT_TRUE(after);
  EXPECT_EQ(after->status, 200);
}

TEST_F(ServerTest, WorkThatWaitedPastItsDeadlineIsNotStarted) {
  settings_.request_timeout = 1s;
  auto blocked = startWithTheWorkerBlocked(settings_.queued_per_worker);
  ASSERT_TRUE(handler_.waitUntilBlocked(1));
  const auto queued = exchange(getRequest("/hello"));  // waits behind /block until its deadline
  ASSERT_TRUE(queued);
  EXPECT_EQ(queued->status, 503);
  ASSERT_TRUE(blocked.get());

  handler_.openGate();
  EXPECT_TRUE(logContains("its result is discarded"));
  const auto after = exchange(getRequest("/hello"));
  ASSERT_TRUE(after);
  EXPECT_EQ(after->status, 200);
  EXPECT_EQ(handler_.calls(), 2);  // /block and the last /hello; the queued one never ran
}

TEST_F(ServerTest, AStreamedPieceLaterThanTheTimeoutCutsTheBodyShort) {
  settings_.request_timeout = 1s;
  start();
  auto client = connect();
  ASSERT_TRUE(client->send(getRequest("/stream-block")));
  EXPECT_FALSE(client->read());  // the head and first chunk, then a close without the last chunk
  EXPECT_TRUE(logContains("no next piece within 1 s"));
}

TEST_F(ServerTest, BusyPortIsAStartUpError) {
  start();
  settings_.port = server_->port();
  try {
    http::Server second(settings_, handler_);
    FAIL() << "a second server bound the same port";
  } catch (const std::runtime_error& error) {
    EXPECT_TRUE(std::string(error.what()).starts_with("cannot listen on 127.0.0.1:"))
        << error.what();
  }
}

TEST_F(ServerTest, UnreadableCertificateIsAStartUpError) {
  settings_.tls.certificate_chain_file = (dir_ / "missing.crt").string();
  try {
    http::Server server(settings_, handler_);
    FAIL() << "started without a certificate";
  } catch (const std::runtime_error& error) {
    EXPECT_TRUE(std::string(error.what()).starts_with("TLS configuration failed")) << error.what();
  }
}

// TLS terminated at a proxy (ADR 0010): the test's self-signed CA doubles as the client
// certificate, sent by the "proxy" in a header with its line breaks folded into spaces.
class ProxyServerTest : public ServerTest {
 protected:
  static constexpr const char* kProxy = "127.0.0.2";

  void SetUp() override {
    ServerTest::SetUp();
    settings_.trusted_proxies = {kProxy};
    std::string folded = readFile(dir_ / "server.crt");
    std::replace(folded.begin(), folded.end(), '\n', ' ');
    certificateHeader_ = "X-SSL-Client-Cert: " + folded + "\r\n";
  }

  /// X-Peer and X-Remote of one request on a new connection.
  std::pair<std::string, std::string> peerAndRemote(const ClientOptions& options,
                                                    const std::string& headers) {
    TlsClient client(server_->port(), options);
    EXPECT_TRUE(client.handshakeOk());
    if (!client.send(getRequest("/hello", headers))) return {};
    const auto reply = client.read();
    if (!reply) return {};
    return {reply->header("x-peer"), reply->header("x-remote")};
  }

  ClientOptions withCertificate(const std::string& source = "") {
    return {.certificate_file = dir_ / "server.crt",
            .key_file = dir_ / "server.key",
            .source_address = source};
  }

  std::string certificateHeader_;
};

TEST_F(ProxyServerTest, ATrustedProxyNamesTheClientPerRequest) {
  start();
  const std::string tlsVerdict = peerAndRemote(withCertificate(), "").first;
  ASSERT_NE(tlsVerdict, "none");

  // The header carries the same certificate: the same verdict as over TLS.
  const auto [peer, remote] =
      peerAndRemote({.source_address = kProxy},
                    certificateHeader_ + "X-Forwarded-For: 198.51.100.1, 203.0.113.7\r\n");
  EXPECT_EQ(peer, tlsVerdict);
  EXPECT_EQ(remote, "203.0.113.7");
  EXPECT_TRUE(logContains("person=person-42 from=203.0.113.7"));

  // The proxy's own TLS certificate is nobody.
  EXPECT_EQ(peerAndRemote(withCertificate(kProxy), ""),
            (std::pair<std::string, std::string>{"none", kProxy}));
  EXPECT_EQ(peerAndRemote({.source_address = kProxy}, "X-SSL-Client-Cert: %zz\r\n").first,
            "invalid");
}

TEST_F(ProxyServerTest, OneProxyConnectionCarriesSeveralClients) {
  start();
  TlsClient client(server_->port(), {.source_address = kProxy});
  ASSERT_TRUE(client.handshakeOk());
  ASSERT_TRUE(client.send(getRequest("/a", certificateHeader_)));
  const auto first = client.read();
  ASSERT_TRUE(client.send(getRequest("/b")));
  const auto second = client.read();
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first->header("x-connection-id"), second->header("x-connection-id"));
  EXPECT_NE(first->header("x-peer"), "none");
  EXPECT_EQ(second->header("x-peer"), "none");
}

TEST_F(ProxyServerTest, HeadersFromOtherAddressesAreIgnored) {
  start();
  const std::string forwarded = certificateHeader_ + "X-Forwarded-For: 203.0.113.7\r\n";
  EXPECT_EQ(peerAndRemote({}, forwarded),
            (std::pair<std::string, std::string>{"none", "127.0.0.1"}));
  EXPECT_TRUE(logContains("ignored header X-SSL-Client-Cert"));
  EXPECT_TRUE(logContains("from=127.0.0.1"));
  // There the TLS certificate counts, whatever the header says.
  EXPECT_EQ(peerAndRemote(withCertificate(), "X-SSL-Client-Cert: %zz\r\n").first,
            peerAndRemote(withCertificate(), "").first);
}

TEST_F(ProxyServerTest, AnotherHeaderNameCanBeConfigured) {
  settings_.client_certificate_header = "X-Client-Cert";
  start();
  EXPECT_EQ(peerAndRemote({.source_address = kProxy}, certificateHeader_).first, "none");
  EXPECT_EQ(peerAndRemote({.source_address = kProxy}, "X-Client-Cert: %zz\r\n").first, "invalid");
}

TEST_F(ProxyServerTest, ABadTrustedProxyIsAStartUpError) {
  settings_.trusted_proxies = {"proxy.example"};
  try {
    http::Server server(settings_, handler_);
    FAIL() << "started with a trusted proxy that is no address";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find("proxy.example"), std::string::npos) << error.what();
  }
}

TEST_F(ProxyServerTest, AReloadedCrlAppliesToNewConnectionsAndHeaders) {
  const auto writeCrl = [this](const std::vector<std::string>& revoked, std::int64_t number) {
    const auto ca = pki::Certificate::fromPem(readFile(dir_ / "server.crt")).value();
    const auto key = pki::PrivateKey::fromPem(readFile(dir_ / "server.key")).value();
    const auto now =
        std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
    std::vector<pki::RevokedCertificate> entries;
    for (const std::string& serial : revoked) entries.push_back({serial, now - 1h});
    std::ofstream(dir_ / "ca.crl")
        << pki::issueCrl(ca, key, entries, now - 1h, now + 24h, number).value();
    return ca.serialHex();
  };
  const std::string serial = writeCrl({}, 1);
  settings_.tls.crl_files = {(dir_ / "ca.crl").string()};
  trust_ = pki::ClientTrust::load(settings_.tls).value();
  start();
  EXPECT_EQ(peerAndRemote(withCertificate(), "").first, "trusted");
  EXPECT_EQ(peerAndRemote({.source_address = kProxy}, certificateHeader_).first, "trusted");

  writeCrl({serial}, 2);
  ASSERT_TRUE(trust_->reloadIfChanged().value());
  EXPECT_EQ(peerAndRemote(withCertificate(), "").first, "revoked");
  EXPECT_EQ(peerAndRemote({.source_address = kProxy}, certificateHeader_).first, "revoked");
}

// GET /metrics (ADR 0016): answered by the transport to allowed TCP peers only.
class MetricsServerTest : public ServerTest {
 protected:
  void SetUp() override {
    ServerTest::SetUp();
    settings_.metrics = &registry_;
    settings_.metric_routes = {"/hello"};
    settings_.metrics_allow = {"127.0.0.1"};
  }

  /// The value of one sample line of a scrape ("name{labels}"), or -1 when absent.
  double sample(const std::string& series) {
    const auto reply = exchange(getRequest("/metrics"));
    if (!reply || reply->status != 200) return -2;
    const auto at = reply->body.find("\n" + series + " ");
    if (at == std::string::npos) return -1;
    return std::stod(reply->body.substr(at + series.size() + 2));
  }

  metrics::Registry registry_;
};

TEST_F(MetricsServerTest, AnswersAnAllowedPeerWithoutTheHandler) {
  start();
  const auto reply = exchange(getRequest("/metrics"));
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 200);
  EXPECT_EQ(reply->header("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_NE(reply->body.find("# TYPE mijncert_http_lane_requests gauge"), std::string::npos)
      << reply->body;
  EXPECT_EQ(reply->header("strict-transport-security"), "max-age=63072000; includeSubDomains");
  EXPECT_EQ(handler_.calls(), 0);
  const auto head = exchange(getRequest("/metrics").replace(0, 3, "HEAD"), true);
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(handler_.calls(), 0);
}

TEST_F(MetricsServerTest, LeavesThePathToTheHandlerForOtherPeersMethodsOrWithoutMetrics) {
  start();
  TlsClient other(server_->port(), {.source_address = "127.0.0.3"});
  ASSERT_TRUE(other.send(getRequest("/metrics")));
  const auto refused = other.read();
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->body, "hallo 0") << "the handler answers, as for any path";
  EXPECT_EQ(handler_.calls(), 1);
  const auto posted =
      exchange("POST /metrics HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n\r\n");
  ASSERT_TRUE(posted);
  EXPECT_EQ(posted->body, "hallo 0");
  EXPECT_EQ(handler_.calls(), 2);
}

TEST_F(MetricsServerTest, WithoutARegistryThereIsNoMetricsPath) {
  settings_.metrics = nullptr;
  start();
  const auto reply = exchange(getRequest("/metrics"));
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->body, "hallo 0");
}

TEST_F(MetricsServerTest, ABadAllowEntryIsAStartUpError) {
  settings_.metrics_allow = {"127.0.0.1", "scraper.example"};
  try {
    start();
    FAIL() << "started with a bad metrics.allow";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("'scraper.example'"), std::string::npos) << e.what();
  }
}

TEST_F(MetricsServerTest, CountsRequestsUnderTheirRouteAndTheTransportsOwnLabels) {
  start();
  ASSERT_TRUE(exchange(getRequest("/hello")));
  ASSERT_TRUE(exchange(getRequest("/hello")));
  ASSERT_TRUE(exchange(getRequest("/organisaties/7")));  // the handler names no route
  ASSERT_TRUE(exchange(getRequest("/static/app.css")));
  // Refused while being read (a header line without colon): 400 before any route is chosen.
  ASSERT_TRUE(exchange("GET /hello HTTP/1.1\r\nHost localhost\r\n\r\n"));
  EXPECT_EQ(sample(R"(mijncert_http_requests_total{method="GET",route="/hello",status="200"})"), 2);
  EXPECT_EQ(sample(R"(mijncert_http_requests_total{method="GET",route="unmatched",status="200"})"),
            1);
  EXPECT_EQ(sample(R"(mijncert_http_requests_total{method="GET",route="static",status="200"})"), 1);
  EXPECT_EQ(sample(R"(mijncert_http_requests_total{method="GET",route="unrouted",status="400"})"),
            1);
  EXPECT_EQ(
      sample(
          R"(mijncert_http_request_duration_seconds_count{method="GET",route="/hello",status="200"})"),
      2);
  EXPECT_GE(sample(R"(mijncert_tls_handshakes_total{result="completed"})"), 5);
  EXPECT_EQ(sample(R"(mijncert_http_lane_requests{lane="metrics"})"), 1) << "the scrape itself";
}

TEST_F(MetricsServerTest, CountsFailedHandshakesAndClientCertificatesByReason) {
  start();
  EXPECT_FALSE(connect({.max_version = TLS1_1_VERSION})->handshakeOk());
  const auto withCertificate =
      connect({.certificate_file = dir_ / "server.crt", .key_file = dir_ / "server.key"});
  ASSERT_TRUE(withCertificate->handshakeOk());  // trusted: no failure
  EXPECT_GE(sample(R"(mijncert_tls_handshakes_total{result="failed"})"), 1);
  EXPECT_EQ(sample(R"(mijncert_tls_client_certificate_failures_total{reason="untrusted"})"), 0);
  EXPECT_EQ(sample(R"(mijncert_tls_client_certificate_failures_total{reason="expired"})"), 0);
}

TEST_F(MetricsServerTest, AnswersWhileEveryWorkerIsBlocked) {
  auto blocked = startWithTheWorkerBlocked(0);
  ASSERT_TRUE(handler_.waitUntilBlocked(1));
  const auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(sample(R"(mijncert_http_lane_requests{lane="workers"})"), 1);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 1s);
  const auto refused = exchange(getRequest("/hello"));
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 503);
  EXPECT_EQ(sample(R"(mijncert_http_requests_total{method="GET",route="unrouted",status="503"})"),
            1);
  handler_.openGate();
  ASSERT_TRUE(blocked.get());
}

// A trusted proxy carries everyone's requests: its connections never read the metrics, even from
// an allowed address and whatever X-Forwarded-For says.
TEST_F(ProxyServerTest, AProxyConnectionNeverReadsTheMetrics) {
  metrics::Registry registry;
  settings_.metrics = &registry;
  settings_.metrics_allow = {"127.0.0.0/8"};
  start();
  TlsClient proxy(server_->port(), {.source_address = kProxy});
  ASSERT_TRUE(proxy.send(getRequest("/metrics", "X-Forwarded-For: 127.0.0.1\r\n")));
  const auto reply = proxy.read();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->body, "hallo 0");
  const auto direct = exchange(getRequest("/metrics"));
  ASSERT_TRUE(direct);
  EXPECT_NE(direct->body.find("mijncert_"), std::string::npos);
  server_->stop();
  ASSERT_TRUE(serverExited(30s));
  server_.reset();  // before the registry it records into
}

}  // namespace
