// Boost compiled without exception support (-fno-exceptions, see ../CMakeLists.txt) reports
// what would have been a throw here. The core calls only Boost.JSON's non-throwing functions,
// so the one way in is running out of memory, which a browser module cannot recover from.

#include <boost/throw_exception.hpp>

#include <cstdlib>
#include <exception>

namespace boost {

void throw_exception(const std::exception&) { std::abort(); }
void throw_exception(const std::exception&, const boost::source_location&) { std::abort(); }

}  // namespace boost
