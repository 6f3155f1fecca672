// The one translation unit that compiles Asio, Asio SSL and Beast. Every other TU sees only their
// declarations (BOOST_ASIO/BEAST_SEPARATE_COMPILATION, set in the top-level CMakeLists.txt), which
// keeps the build fast on two cores (docs/architecture.md §Conventions).

#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
