// A small strict JSON reader for the flat files snarkjs writes
// (verification_key.json, proof.json, public.json), so the prover library
// needs no JSON dependency.
//
// Accepts RFC 8259 JSON with these limits: at most kMaxInput bytes, nesting
// depth kMaxDepth, strings without escapes other than \" \\ \/ \b \f \n \r \t
// (no \u: these files never need it), no duplicate object keys. Numbers are
// kept as their text (the formats only use non-negative integers).
// Malformed input throws InvalidInput naming the line and column.
//
// Values are plain data; thread-compatible.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace codex::prover::formats {

class Json {
 public:
  enum class Kind { kNull, kBool, kNumber, kString, kArray, kObject };

  static constexpr size_t kMaxInput = 16u << 20;
  static constexpr size_t kMaxDepth = 32;

  // Parses a whole document (surrounding whitespace allowed). Throws
  // InvalidInput on malformed text, trailing characters or exceeded limits.
  static Json parse(std::string_view text);

  Kind kind() const { return kind_; }
  bool is_array() const { return kind_ == Kind::kArray; }
  bool is_object() const { return kind_ == Kind::kObject; }
  bool is_string() const { return kind_ == Kind::kString; }

  // The text of a string (unescaped) or number, or "true"/"false"/"null".
  const std::string& text() const { return text_; }
  // Elements of an array (empty for other kinds).
  const std::vector<Json>& items() const { return items_; }
  // Members of an object in file order.
  const std::vector<std::pair<std::string, Json>>& members() const { return members_; }
  // The member named key, or nullptr (also for non-objects).
  const Json* find(std::string_view key) const;

  static const char* kind_name(Kind k);

 private:
  friend class JsonParser;
  Kind kind_ = Kind::kNull;
  std::string text_;
  std::vector<Json> items_;
  std::vector<std::pair<std::string, Json>> members_;
};

// The whole content of a text file (a JSON document). Throws InvalidInput if
// it cannot be read or is larger than Json::kMaxInput.
std::string read_text_file(const std::string& path);

}  // namespace codex::prover::formats
