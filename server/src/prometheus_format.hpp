#pragma once
// Pieces of the Prometheus text format (version 0.0.4) shared by the server's metrics and the
// application's.

#include <string>
#include <string_view>

namespace sockjs::detail {

/// `# HELP name help` and `# TYPE name type` lines; the help text escaped as the format says.
void append_family(std::string& out, std::string_view name, std::string_view type, std::string_view help);

/// A sample value: integers exactly, NaN and infinities as the format spells them.
std::string format_value(double v);

/// A label value with `\`, `"` and newlines escaped (without the quotes).
std::string escape_label(std::string_view v);

}  // namespace sockjs::detail
