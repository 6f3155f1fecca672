#include "signer/files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

namespace signer {

core::Result<std::string> readFile(const std::string& path, std::string_view what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int error = errno;
    return core::makeError(
        error == ENOENT ? core::ErrorKind::not_found : core::ErrorKind::invalid,
        "cannot read " + std::string(what) + " " + path + ": " + std::strerror(error));
  }
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

core::Result<void> writeNewFile(const std::string& path, std::string_view content, mode_t mode) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) {
    const int error = errno;
    return core::makeError(error == EEXIST ? core::ErrorKind::conflict : core::ErrorKind::invalid,
                           "cannot create " + path + ": " + std::strerror(error));
  }
  bool written = ::fchmod(fd, mode) == 0;
  for (std::size_t done = 0; written && done < content.size();) {
    const ssize_t count = ::write(fd, content.data() + done, content.size() - done);
    if (count < 0 && errno == EINTR) continue;
    written = count > 0;
    if (written) done += static_cast<std::size_t>(count);
  }
  const int error = errno;
  if (::close(fd) != 0 || !written) {
    ::unlink(path.c_str());
    return core::makeError(core::ErrorKind::unavailable,
                           "cannot write " + path + ": " + std::strerror(error));
  }
  return {};
}

}  // namespace signer
