#pragma once
// Static files for paths outside every service (server_options::static_dir): GET only,
// content type by extension, index.html for directories, nothing outside the root.

#include "net/net.hpp"

#include <memory>
#include <string>
#include <string_view>

namespace sockjs::detail {

/// Answers `req` from the files under `root`: 200 with the file, 404, or 405. Files over
/// 256 KiB are streamed (chunked) with bounded memory, whatever their size.
void serve_static(const std::string& root, const std::shared_ptr<net::exchange>& ex,
                  const net::http_request& req);

/// The Content-Type for a file name, by extension (application/octet-stream if unknown).
std::string_view content_type_for(std::string_view filename) noexcept;

}  // namespace sockjs::detail
