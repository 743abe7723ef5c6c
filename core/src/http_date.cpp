// RFC 7231 IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT") from Unix seconds.
// The core has no clock and no locale: the date is computed with integer arithmetic on the
// proleptic Gregorian calendar (400-year eras of 146097 days, years starting in March so the
// leap day comes last).

#include <sockjs/http.hpp>

#include <array>
#include <cstdint>

namespace sockjs {

namespace {

struct civil {
    std::int64_t year;
    unsigned month;  // 1..12
    unsigned day;    // 1..31
};

// Floor division, so dates before 1970 land on the right day.
constexpr std::int64_t floor_div(std::int64_t a, std::int64_t b) noexcept {
    return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0);
}

constexpr civil civil_from_days(std::int64_t days_since_epoch) noexcept {
    // Shift to 0000-03-01, the start of an era in a March-based calendar.
    const std::int64_t z = days_since_epoch + 719468;
    const std::int64_t era = floor_div(z, 146097);
    const std::int64_t day_of_era = z - era * 146097;  // [0, 146096]
    // Years of 365 days, minus the leap days: one each 4 years, none each 100, one each 400.
    const std::int64_t year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
    const std::int64_t day_of_year =
        day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);  // [0, 365]
    const std::int64_t march_month = (5 * day_of_year + 2) / 153;  // 0 = March .. 11 = February
    const auto day = static_cast<unsigned>(day_of_year - (153 * march_month + 2) / 5 + 1);
    const auto month = static_cast<unsigned>(march_month < 10 ? march_month + 3 : march_month - 9);
    const std::int64_t year = year_of_era + era * 400 + (month <= 2 ? 1 : 0);
    return {year, month, day};
}

static_assert(civil_from_days(0).year == 1970 && civil_from_days(0).month == 1 &&
              civil_from_days(0).day == 1);
static_assert(civil_from_days(-1).year == 1969 && civil_from_days(-1).month == 12 &&
              civil_from_days(-1).day == 31);
static_assert(civil_from_days(11016).year == 2000 && civil_from_days(11016).month == 2 &&
              civil_from_days(11016).day == 29);

void append_2(std::string& out, unsigned v) {
    out += static_cast<char>('0' + v / 10 % 10);
    out += static_cast<char>('0' + v % 10);
}

}  // namespace

std::string http_date(std::int64_t unix_seconds) {
    static constexpr std::array<const char*, 7> weekdays{"Thu", "Fri", "Sat", "Sun",
                                                         "Mon", "Tue", "Wed"};  // from 1970-01-01
    static constexpr std::array<const char*, 12> months{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    // IMF-fixdate has a 4-digit year: clamp to 0000-01-01T00:00:00 .. 9999-12-31T23:59:59.
    if (unix_seconds < -62167219200) unix_seconds = -62167219200;
    if (unix_seconds > 253402300799) unix_seconds = 253402300799;
    const std::int64_t days = floor_div(unix_seconds, 86400);
    const auto secs = static_cast<unsigned>(unix_seconds - days * 86400);
    const civil c = civil_from_days(days);
    const auto weekday = static_cast<std::size_t>(days - floor_div(days, 7) * 7);

    std::string out;
    out.reserve(29);
    out += weekdays[weekday];
    out += ", ";
    append_2(out, c.day);
    out += ' ';
    out += months[c.month - 1];
    out += ' ';
    const auto year = static_cast<unsigned>(c.year);
    append_2(out, year / 100);
    append_2(out, year % 100);
    out += ' ';
    append_2(out, secs / 3600);
    out += ':';
    append_2(out, secs / 60 % 60);
    out += ':';
    append_2(out, secs % 60);
    out += " GMT";
    return out;
}

}  // namespace sockjs
