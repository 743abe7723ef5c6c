#pragma once
// The iframe page the protocol prescribes (IframePage.iframe_body in the official suite), with
// the client script URL as the only variable part (group 1). One copy for the core's tests and
// the server's conformance tests, matched against the body with surrounding whitespace stripped.

#include <regex>

namespace sockjs::test {

inline const std::regex& iframe_page_template() {
    static const std::regex re(
        "^<!DOCTYPE html>\n"
        "<html>\n"
        "<head>\n"
        "  <meta http-equiv=\"X-UA-Compatible\" content=\"IE=edge\" />\n"
        "  <meta http-equiv=\"Content-Type\" content=\"text/html; charset=UTF-8\" />\n"
        "  <script src=\"([^\"]*)\"></script>\n"
        "  <script>\n"
        "    document.domain = document.domain;\n"
        "    SockJS.bootstrap_iframe\\(\\);\n"
        "  </script>\n"
        "</head>\n"
        "<body>\n"
        "  <h2>Don't panic!</h2>\n"
        "  <p>This is a SockJS hidden iframe. It's used for cross domain magic.</p>\n"
        "</body>\n"
        "</html>$");
    return re;
}

}  // namespace sockjs::test
