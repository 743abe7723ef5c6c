#pragma once
// Serialising response heads and chunks straight into a connection's output buffer (one
// buffer per response, so a small response is one send()).

#include <sockjs/http.hpp>  // header_list

#include <cstddef>
#include <string>
#include <string_view>

namespace sockjs::net {

/// "OK", "Not Found", ... ("Unknown" for codes without a phrase).
std::string_view reason_phrase(int status);

/// "HTTP/1.1 <status> <reason>\r\n"
void append_status_line(std::string& out, int status);

/// "<name>: <value>\r\n"; CR and LF in either become spaces (no header injection).
void append_header(std::string& out, std::string_view name, std::string_view value);

/// Appends the caller's headers, skipping the ones the connection owns (Content-Length,
/// Transfer-Encoding, Connection). Returns true if the caller asked for `Connection: close`.
bool append_user_headers(std::string& out, const header_list& headers);

/// "Content-Length: <n>\r\n"
void append_content_length(std::string& out, std::size_t n);

/// One HTTP/1.1 chunk: "<hex size>\r\n<data>\r\n" (data must not be empty).
void append_chunk(std::string& out, std::string_view data);

/// The terminating chunk "0\r\n\r\n".
inline constexpr std::string_view last_chunk{"0\r\n\r\n"};

}  // namespace sockjs::net
