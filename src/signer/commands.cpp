#include "signer/commands.hpp"

#include "core/time_format.hpp"
#include "pki/cms_sign.hpp"
#include "pki/csr_builder.hpp"
#include "pki/key.hpp"
#include "pki/public_key.hpp"
#include "signer/files.hpp"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <istream>
#include <map>
#include <optional>
#include <ostream>

namespace signer {

const char* const kUsage =
    "Usage:\n"
    "  mijncert-signer enroll --url https://PORTAL --code CODE --key-out key.pem\n"
    "                         --cert-out cert.pem [--cacert FILE]\n"
    "  mijncert-signer login REQUEST [KEY] [--url https://PORTAL] [--cacert FILE]\n"
    "                        [--number NN] [--yes]\n"
    "  mijncert-signer sign  REQUEST [KEY] [--url https://PORTAL] [--cacert FILE] [--yes]\n"
    "\n"
    "REQUEST is the request URL https://PORTAL/m/ID of the QR code, or the ID with --url.\n"
    "KEY is one of:\n"
    "  --key FILE --cert FILE          PEM key and certificate (the file may hold the chain)\n"
    "  --p12 FILE [--password PW | --password-env VAR]\n"
    "  --pkcs11 pkcs11:token=NAME;object=LABEL --module PATH --pin-env VAR [--cert FILE]\n"
    "                                  a key in a token or smartcard; its certificate is the\n"
    "                                  token object with the same label unless --cert is given\n"
    "  --chain FILE                    more CA certificates to include in the signature\n"
    "\n"
    "--cacert FILE verifies the portal's TLS certificate against FILE (e.g. the demo root\n"
    "var/dev/pki/root-ca.crt) instead of the system store; verification is never skipped.\n"
    "--yes answers without asking for confirmation.\n"
    "--number NN (login) is the number the browser that started the login shows; it must be\n"
    "  one of the three the request offers. Without it the number is asked. A number that is\n"
    "  not the browser's makes the portal cancel the request (someone else's browser asked).\n"
    "  With --yes, a login needs --number.\n"
    "Exit status: 0 done, 1 failed or declined, 2 usage error.\n";

namespace {

core::Error usage(std::string message) {
  return core::makeError(core::ErrorKind::invalid, std::move(message));
}

// The option's field in Options, for options that take a value.
std::map<std::string, std::string*, std::less<>> valuedOptions(Options& options) {
  KeyOptions& keys = options.keys;
  return {{"--url", &options.url},         {"--code", &options.code},
          {"--key-out", &options.key_out}, {"--cert-out", &options.cert_out},
          {"--cacert", &options.cacert},   {"--key", &keys.key_file},
          {"--cert", &keys.cert_file},     {"--chain", &keys.chain_file},
          {"--p12", &keys.p12_file},       {"--password-env", &keys.password_env},
          {"--pkcs11", &keys.pkcs11_uri},  {"--module", &keys.module},
          {"--pin-env", &keys.pin_env},    {"--number", &options.number}};
}

core::Result<void> require(const std::string& value, const char* option) {
  if (value.empty()) return usage(std::string(option) + " is required");
  return {};
}

bool confirmed(std::istream& in) {
  std::string line;
  if (!std::getline(in, line)) return false;
  std::erase_if(line, [](unsigned char c) { return std::isspace(c) != 0; });
  std::ranges::transform(line, line.begin(), [](unsigned char c) { return std::tolower(c); });
  return line == "y" || line == "yes" || line == "j" || line == "ja";
}

void describe(const MobileRequest& request, RequestKind kind, std::ostream& out) {
  out << "Request:     " << request.id << "\nKind:        " << toString(kind)
      << (kind == RequestKind::login ? " (log in to the portal)" : " (sign an order)");
  if (request.order_id) out << "\nOrder:       " << *request.order_id;
  out << "\nPortal:      " << request.origin << "\nValid until: " << printable(request.expires_at)
      << "\n";
  if (kind == RequestKind::login) {
    // Who asked: a login you did not start yourself in a browser in front of you is phishing.
    out << "Browser:     " << printable(request.browser)
        << "\nAddress:     " << printable(request.browser_address)
        << "\nStarted:     " << printable(request.browser_started_at) << "\nNumbers:    ";
    for (const int choice : request.choices) out << " " << choice;
    out << "  (pick the one the browser shows)\n";
  }
  if (kind == RequestKind::sign) {
    out << "Document (signed exactly as shown):\n"
        << "----------------------------------------\n"
        << printable(request.document) << (request.document.ends_with('\n') ? "" : "\n")
        << "----------------------------------------\n";
  }
}

core::Result<void> writeEnrolment(const Options& options, const pki::Certificate& certificate,
                                  const EnrolledCertificate& enrolled, std::ostream& out) {
  std::string pem = certificate.toPem();
  if (!enrolled.chain.empty()) {
    auto chain = pki::Certificate::chainFromPem(enrolled.chain);
    if (!chain) return usage("the portal's chain is not PEM certificates");
    for (const pki::Certificate& ca : *chain) pem += ca.toPem();
  }
  auto written = writeNewFile(options.cert_out, pem, 0644);
  if (!written) return written.error();
  out << "Enrolled: " << certificate.subjectDn() << "\nSerial:      " << certificate.serialHex()
      << "\nValid until: " << core::toIso8601(certificate.notAfter());
  if (enrolled.order_id) out << "\nOrder:       " << *enrolled.order_id;
  out << "\nKey:         " << options.key_out
      << " (keep it secret)\nCertificate: " << options.cert_out << " (with its chain)\n";
  return {};
}

}  // namespace

core::Result<Options> parseArguments(const std::vector<std::string>& args) {
  Options options;
  if (args.empty()) return usage("no command given");
  options.command = args[0];
  if (options.command == "--help" || options.command == "-h") options.command = "help";
  const auto valued = valuedOptions(options);
  std::vector<std::string> positional;
  for (std::size_t i = 1; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--yes" || arg == "-y") {
      options.yes = true;
    } else if (arg == "--help" || arg == "-h") {
      options.command = "help";
    } else if (arg == "--password") {
      if (i + 1 >= args.size()) return usage(arg + " needs a value");
      options.keys.password = args[++i];
    } else if (const auto field = valued.find(arg); field != valued.end()) {
      if (i + 1 >= args.size()) return usage(arg + " needs a value");
      *field->second = args[++i];
    } else if (arg.starts_with("-") && !isRequestId(arg)) {  // an id may start with '-'
      return usage("unknown option " + arg);
    } else {
      positional.push_back(arg);
    }
  }
  if (options.command == "help") return options;
  if (options.command == "enroll") {
    if (!positional.empty()) return usage("enroll takes no argument " + positional[0]);
    for (const auto& [value, name] : {std::pair{&options.url, "--url"},
                                      {&options.code, "--code"},
                                      {&options.key_out, "--key-out"},
                                      {&options.cert_out, "--cert-out"}}) {
      auto present = require(*value, name);
      if (!present) return present.error();
    }
    return options;
  }
  if (options.command != "login" && options.command != "sign")
    return usage("unknown command " + options.command);
  if (positional.size() != 1)
    return usage(options.command + " needs one request URL (https://PORTAL/m/ID) or id");
  options.request = positional[0];
  if (!options.number.empty() && options.command != "login")
    return usage("--number is for login only");
  if (options.command == "login" && options.yes && options.number.empty())
    return usage("login --yes needs --number NN: the number the browser shows");
  return options;
}

core::Result<void> enroll(const Options& options, HttpTransport& transport, std::ostream& out) {
  auto origin = originOf(options.url);
  if (!origin) return origin.error();
  for (const std::string& path : {options.key_out, options.cert_out}) {
    if (::access(path.c_str(), F_OK) == 0) return usage(path + " exists; choose another file");
  }
  const pki::PrivateKey key = pki::PrivateKey::generate(pki::KeyType::ec_p256);
  auto request = pki::buildCertificateRequest(key, "mijncert-signer");
  if (!request) return request.error();
  auto written = writeNewFile(options.key_out, key.toPem(), 0600);
  if (!written) return written.error();
  const auto fail = [&](core::Error error) {
    ::unlink(options.key_out.c_str());  // the key is useless without its certificate
    return error;
  };
  std::string code = options.code;
  std::erase_if(code, [](unsigned char c) { return std::isspace(c) != 0; });
  auto response = transport.post(*origin + "/api/v1/mobile/enroll", "application/json",
                                 enrollmentBody(code, request->toPem()));
  if (!response) return fail(response.error());
  if (response->status != 201 && response->status != 200)
    return fail(refusalOf(*response, "the enrolment"));
  auto enrolled = parseEnrollment(response->body);
  if (!enrolled) return fail(enrolled.error());
  auto certificate = pki::Certificate::fromPem(enrolled->certificate);
  if (!certificate) return fail(usage("the portal's certificate is not PEM"));
  if (pki::PublicKey::ofCertificate(*certificate).sha256Hex() !=
      pki::PublicKey::of(key).sha256Hex()) {
    return fail(usage("the portal returned a certificate for another key"));
  }
  auto saved = writeEnrolment(options, *certificate, *enrolled, out);
  if (!saved) return fail(saved.error());
  return {};
}

core::Result<void> answer(const Options& options, RequestKind kind, HttpTransport& transport,
                          std::istream& in, std::ostream& out) {
  auto target = parseRequestTarget(options.request, options.url);
  if (!target) return target.error();
  auto identity = loadIdentity(options.keys);  // before the portal: a key problem shows at once
  if (!identity) return identity.error();
  auto fetched = transport.get(requestUrl(*target));
  if (!fetched) return fetched.error();
  if (fetched->status != 200) return refusalOf(*fetched, "to show the request");
  auto request = parseMobileRequest(fetched->body);
  if (!request) return request.error();
  auto checked = checkRequest(*request, kind, *target);
  if (!checked) return checked.error();
  describe(*request, kind, out);
  out << "Signer:      " << identity->certificate.subjectDn() << "\n";
  if (!options.yes) {
    out << (kind == RequestKind::login ? "Log in? [y/N] " : "Sign this document? [y/N] ")
        << std::flush;
    if (!confirmed(in)) {
      return core::makeError(core::ErrorKind::forbidden, "declined: nothing was signed");
    }
  }
  std::optional<int> number;
  if (kind == RequestKind::login) {
    std::string picked = options.number;
    if (picked.empty()) {
      out << "Which number does the browser show? " << std::flush;
      if (!std::getline(in, picked) || picked.find_first_not_of(" \t\r") == std::string::npos)
        return core::makeError(core::ErrorKind::forbidden, "declined: nothing was signed");
    }
    auto chosen = pickNumber(*request, picked);
    if (!chosen) return chosen.error();
    number = *chosen;
  }
  auto signature =
      pki::signDetached(request->document, identity->certificate, identity->key, identity->chain);
  if (!signature) return signature.error();
  auto posted = transport.post(
      answerUrl(*target, number), "application/pkcs7-signature",
      std::string_view(reinterpret_cast<const char*>(signature->data()), signature->size()));
  if (!posted) return posted.error();
  if (posted->status != 200) return refusalOf(*posted, "the signature");
  auto outcome = parseAnswerOutcome(posted->body);
  if (!outcome) return outcome.error();
  if (kind == RequestKind::login) {
    out << "Logged in (" << printable(outcome->status) << "): continue in the browser.\n";
  } else {
    out << "Signed (" << printable(outcome->status) << ")";
    if (outcome->order_status) out << "; the order is now " << printable(*outcome->order_status);
    out << ".\n";
  }
  return {};
}

int run(const std::vector<std::string>& args, std::istream& in, std::ostream& out,
        std::ostream& err) {
  auto options = parseArguments(args);
  if (!options) {
    err << "mijncert-signer: " << options.error().message << "\n\n" << kUsage;
    return 2;
  }
  if (options->command == "help") {
    out << kUsage;
    return 0;
  }
  CurlTransport transport(options->cacert);
  const auto result =
      options->command == "enroll"
          ? enroll(*options, transport, out)
          : answer(*options, options->command == "login" ? RequestKind::login : RequestKind::sign,
                   transport, in, out);
  if (!result) {
    err << "mijncert-signer: " << result.error().message << "\n";
    return 1;
  }
  return 0;
}

}  // namespace signer
