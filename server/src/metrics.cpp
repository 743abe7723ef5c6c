#include <sockjs/metrics.hpp>

#include "prometheus_format.hpp"

#include <charconv>
#include <cmath>
#include <stdexcept>

namespace sockjs {

namespace detail {

void append_family(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
    out.append("# HELP ").append(name).append(" ");
    for (char c : help) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '\n')
            out += "\\n";
        else
            out += c;
    }
    out.append("\n# TYPE ").append(name).append(" ").append(type).append("\n");
}

std::string format_value(double v) {
    if (std::isnan(v)) return "NaN";
    if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
    char buf[32];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);  // shortest form that reads back exactly
    return ec == std::errc() ? std::string(buf, end) : "NaN";
}

std::string escape_label(std::string_view v) {
    std::string out;
    out.reserve(v.size());
    for (char c : v) {
        if (c == '\\' || c == '"') out += '\\';
        if (c == '\n') {
            out += "\\n";
            continue;
        }
        out += c;
    }
    return out;
}

}  // namespace detail

bool valid_metric_name(std::string_view name) noexcept {
    if (name.empty()) return false;
    auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':'; };
    if (!alpha(name.front())) return false;
    for (char c : name)
        if (!alpha(c) && !(c >= '0' && c <= '9')) return false;
    return true;
}

struct metrics_registry::entry {
    std::string name;
    std::string help;
    bool counter = false;
    metric_counter c;
    metric_gauge g;
    std::function<double()> read;  // set: a callback gauge
};

metrics_registry::metrics_registry() = default;
metrics_registry::~metrics_registry() = default;

metrics_registry::entry& metrics_registry::add(std::string name, std::string help, bool counter,
                                               std::function<double()> read) {
    auto refuse = [&](const std::string& why) {
        throw std::invalid_argument("sockjs::metrics_registry: metric name \"" + name + "\" " + why);
    };
    if (!valid_metric_name(name)) refuse("is not a Prometheus metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)");
    if (name.starts_with("sockjs_") || name.starts_with("process_"))
        refuse("is under a prefix the server's own metrics use (sockjs_, process_)");
    if (counter && !name.ends_with("_total")) refuse("names a counter: it must end in _total");
    std::lock_guard lock(mutex_);
    for (const auto& e : entries_)
        if (e->name == name) refuse("is registered already");
    auto e = std::make_unique<entry>();
    e->name = std::move(name);
    e->help = std::move(help);
    e->counter = counter;
    e->read = std::move(read);  // before the entry is visible: scrapes read it unlocked
    entries_.push_back(std::move(e));
    return *entries_.back();
}

metric_counter& metrics_registry::add_counter(std::string name, std::string help) {
    return add(std::move(name), std::move(help), true).c;
}

metric_gauge& metrics_registry::add_gauge(std::string name, std::string help) {
    return add(std::move(name), std::move(help), false).g;
}

void metrics_registry::add_callback_gauge(std::string name, std::string help, std::function<double()> read) {
    if (!read) throw std::invalid_argument("sockjs::metrics_registry: empty callback for " + name);
    add(std::move(name), std::move(help), false, std::move(read));
}

std::string metrics_registry::text() const {
    // Entries are never removed or changed once added: render them outside the lock, so that a
    // callback may itself use the registry.
    std::vector<const entry*> all;
    {
        std::lock_guard lock(mutex_);
        all.reserve(entries_.size());
        for (const auto& e : entries_) all.push_back(e.get());
    }
    std::string out;
    for (const entry* e : all) {
        detail::append_family(out, e->name, e->counter ? "counter" : "gauge", e->help);
        std::string v;
        if (e->counter) {
            v = std::to_string(e->c.value());
        } else if (e->read) {
            try {
                v = detail::format_value(e->read());
            } catch (...) {
                continue;
            }
        } else {
            v = detail::format_value(e->g.value());
        }
        out.append(e->name).append(" ").append(v).append("\n");
    }
    return out;
}

}  // namespace sockjs
