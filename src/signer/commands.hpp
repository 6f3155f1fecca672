#pragma once
// The commands of mijncert-signer (docs/mobile-protocol.md §Reference signer app): enrol a
// mobile certificate, answer a login or signing request.

#include "core/error.hpp"
#include "signer/http_client.hpp"
#include "signer/key_source.hpp"
#include "signer/protocol.hpp"

#include <iosfwd>
#include <string>
#include <vector>

namespace signer {

/// The command line, parsed.
struct Options {
  std::string command;   ///< enroll, login, sign or help
  std::string request;   ///< login/sign: the request URL or id
  std::string url;       ///< --url: the portal
  std::string code;      ///< enroll --code
  std::string key_out;   ///< enroll --key-out
  std::string cert_out;  ///< enroll --cert-out
  std::string cacert;    ///< --cacert: CAs for the portal's TLS certificate; empty: system store
  bool yes = false;      ///< --yes: answer without asking
  std::string number;    ///< login --number: the number the browser shows (else asked on stdin)
  KeyOptions keys;
};

/// Parses the arguments after the program name; invalid with the reason for a usage error.
core::Result<Options> parseArguments(const std::vector<std::string>& args);

/// Text of `mijncert-signer help`.
extern const char* const kUsage;

/// enroll: a fresh P-256 key and CSR, POST /api/v1/mobile/enroll, the key written 0600 to
/// --key-out and the certificate with its chain to --cert-out. Neither file may exist yet; the
/// key file is removed again if the portal refuses.
core::Result<void> enroll(const Options& options, HttpTransport& transport, std::ostream& out);

/// login/sign: fetches the request, checks it (checkRequest), shows it, asks for confirmation on
/// `in` unless --yes; for a login, the number the browser shows: --number or asked on `in`, one
/// of the request's choices (pickNumber). Then signs the document and posts the signature (with
/// the number). Prints the outcome on `out`.
core::Result<void> answer(const Options& options, RequestKind kind, HttpTransport& transport,
                          std::istream& in, std::ostream& out);

/// Runs the command line: 0 on success, 1 on failure (the reason on `err`), 2 on a usage error.
int run(const std::vector<std::string>& args, std::istream& in, std::ostream& out,
        std::ostream& err);

}  // namespace signer
