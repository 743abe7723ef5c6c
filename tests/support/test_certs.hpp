#pragma once
// The TLS tests' certificates (tests/support/make-test-certs.sh), made on first use into the
// directory the build names (SOCKJS_TEST_CERTS_DIR; the script is SOCKJS_TEST_MAKE_CERTS).

#include <cstdlib>
#include <stdexcept>
#include <string>

namespace sockjs_test {

/// The directory holding ca.pem, server.pem/.key, client.pem/.key, other-ca.pem and
/// stranger.pem/.key (a server certificate from the untrusted CA); "/"-terminated.
inline const std::string& certs_dir() {
    static const std::string dir = [] {
        const std::string d = SOCKJS_TEST_CERTS_DIR;
        const std::string cmd = std::string("bash '") + SOCKJS_TEST_MAKE_CERTS + "' '" + d + "'";
        if (std::system(cmd.c_str()) != 0) throw std::runtime_error("cannot make the test certificates: " + cmd);
        return d + "/";
    }();
    return dir;
}

inline std::string cert_file(const std::string& name) { return certs_dir() + name; }

}  // namespace sockjs_test
