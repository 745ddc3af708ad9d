#pragma once
// Pieces of the Prometheus text exposition format 0.0.4
// (https://prometheus.io/docs/instrumenting/exposition_formats/): which names
// are valid, how HELP text and label values are escaped, how numbers are
// written. The registry (registry.h) writes whole families with them.
#include <string>
#include <string_view>

namespace codex::base::metrics {

// The Content-Type of a scrape's answer.
inline constexpr std::string_view kTextContentType = "text/plain; version=0.0.4; charset=utf-8";

// [a-zA-Z_:][a-zA-Z0-9_:]*
bool valid_metric_name(std::string_view name);
// [a-zA-Z_][a-zA-Z0-9_]*, not starting with "__" (reserved).
bool valid_label_name(std::string_view name);

// HELP text: backslash and line feed escaped (\\ and \n).
std::string escape_help(std::string_view text);
// A label value: backslash, double quote and line feed escaped.
std::string escape_label_value(std::string_view value);

// A sample value: integers exactly (up to 2^53 without exponent), other
// values in the shortest form that reads back the same; "NaN", "+Inf", "-Inf".
std::string format_value(double v);

}  // namespace codex::base::metrics
